import Foundation
import XCTest
@testable import Media

/// Preparing a photo for a frame: documented sizes for the aspect presets, multiples of 8,
/// crop keeps the centre, padding keeps the whole product.
final class ImagePreparerTests: XCTestCase {
    func testPresetSizes() throws {
        let expected: [(AspectRatio, Int, Int, Int)] = [
            (.square, 512, 512, 512), (.portrait3x4, 512, 512, 680), (.landscape4x3, 512, 680, 512),
            (.portrait9x16, 512, 512, 912), (.landscape16x9, 512, 912, 512),
            (.landscape16x9, 720, 1280, 720), (.portrait9x16, 720, 720, 1280), (.portrait3x4, 768, 768, 1024),
        ]
        for (r, s, w, h) in expected {
            let size = try TargetSize.aspect(r, shortSide: s).resolve()
            XCTAssertEqual([size.width, size.height], [w, h], "\(r) at \(s)")
            XCTAssertEqual(size.width % 8, 0)
            XCTAssertEqual(size.height % 8, 0)
        }
        XCTAssertEqual(try TargetSize(aspect: nil, size: "1280x704").resolve().width, 1280)
        XCTAssertEqual(try TargetSize(aspect: "9:16", size: "512p").resolve().height, 912)
        XCTAssertEqual(try AspectRatio(parsing: "32:18"), .landscape16x9)
    }

    func testInvalidSizesAreRejected() {
        assertMediaError(try TargetSize.aspect(.square, shortSide: 500).resolve(), "not a multiple of 8") {
            if case .invalidArgument = $0 { return true }
            return false
        }
        assertMediaError(try TargetSize.exact(width: 1920, height: 1082).resolve(), "odd") { if case .invalidArgument = $0 { return true }; return false }
        assertMediaError(try TargetSize(aspect: "wide", size: "512"), "aspect") { if case .invalidArgument = $0 { return true }; return false }
        assertMediaError(try TargetSize.aspect(.portrait9x16, shortSide: 4096).resolve(), "too long") { if case .invalidArgument = $0 { return true }; return false }
    }

    func testCenterCropFillsTheFrameFromTheMiddle() throws {
        // 200x100 photo: left quarter red, middle half green, right quarter blue. A square crop
        // keeps only the green middle.
        var img = RGBImage(width: 200, height: 100, fill: (0, 255, 0))
        for y in 0..<100 {
            for x in 0..<50 { img.pixels[img.index(x: x, y: y)] = 255; img.pixels[img.index(x: x, y: y) + 1] = 0 }
            for x in 150..<200 { img.pixels[img.index(x: x, y: y) + 1] = 0; img.pixels[img.index(x: x, y: y) + 2] = 255 }
        }
        let p = try ImagePreparer.prepare(img, options: PrepareOptions(size: .aspect(.square, shortSide: 64), mode: .centerCrop))
        XCTAssertEqual([p.image.width, p.image.height], [64, 64])
        assertPixel(p.image, 2, 32, green, tolerance: 8)
        assertPixel(p.image, 61, 32, green, tolerance: 8)
    }

    func testPadKeepsTheWholePhotoOnTheChosenBackground() throws {
        let img = quadrantImage(width: 192, height: 128)
        let p = try ImagePreparer.prepare(img, options: PrepareOptions(size: .aspect(.square, shortSide: 96), mode: .pad(.solid(.white))))
        XCTAssertEqual([p.image.width, p.image.height], [96, 96])
        XCTAssertEqual([p.contentX, p.contentY, p.contentWidth, p.contentHeight], [0, 16, 96, 64])
        assertPixel(p.image, 48, 4, white, tolerance: 0)
        assertPixel(p.image, 48, 92, white, tolerance: 0)
        assertPixel(p.image, 10, 30, red)
        assertPixel(p.image, 85, 70, yellow)

        let black = try ImagePreparer.prepare(img, options: PrepareOptions(size: .aspect(.square, shortSide: 96), mode: .pad(.solid(.black))))
        assertPixel(black.image, 48, 4, (0, 0, 0), tolerance: 0)
    }

    func testEdgeExtendedPadRepeatsTheBorder() throws {
        let img = quadrantImage(width: 192, height: 128)
        let p = try ImagePreparer.prepare(img, options: PrepareOptions(size: .aspect(.square, shortSide: 96), mode: .pad(.edge)))
        assertPixel(p.image, 10, 2, red, tolerance: 4)
        assertPixel(p.image, 85, 94, yellow, tolerance: 4)
    }

    func testBlurredPadIsASmoothVersionOfThePhoto() throws {
        let img = photoLikeImage(width: 300, height: 200)
        let p = try ImagePreparer.prepare(img, options: PrepareOptions(size: .aspect(.portrait9x16, shortSide: 128), mode: .pad(.blur(radius: 0.04))))
        XCTAssertEqual([p.image.width, p.image.height], [128, 224])
        // Top band (background): neighbouring pixels differ very little.
        var maxStep = 0
        for y in 0..<(p.contentY - 1) {
            for x in 0..<127 {
                let a = rgb(p.image, x, y), b = rgb(p.image, x + 1, y)
                maxStep = max(maxStep, abs(a.0 - b.0), abs(a.1 - b.1), abs(a.2 - b.2))
            }
        }
        XCTAssertLessThan(maxStep, 8)
        XCTAssertGreaterThan(p.contentY, 50)
        // The content area is the photo resized, untouched by the blur.
        let fitted = Resampler.resize(img, width: p.contentWidth, height: p.contentHeight)
        XCTAssertEqual(rgb(p.image, p.contentX + 5, p.contentY + 5).0, rgb(fitted, 5, 5).0)
    }

    func testFitModeParsing() throws {
        XCTAssertEqual(try FitMode(parsing: "crop"), .centerCrop)
        XCTAssertEqual(try FitMode(parsing: "pad"), .pad(.solid(.white)))
        XCTAssertEqual(try FitMode(parsing: "pad-#102030"), .pad(.solid(RGBColor(r: 16, g: 32, b: 48))))
        XCTAssertEqual(try FitMode(parsing: "edge"), .pad(.edge))
        XCTAssertEqual(try FitMode(parsing: "blur"), .pad(.blur(radius: 0.04)))
        XCTAssertThrowsError(try FitMode(parsing: "stretch"))
    }
}
