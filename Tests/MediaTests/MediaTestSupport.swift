import Foundation
import XCTest
@testable import Media

/// The folder of committed fixtures (Tests/Fixtures/Media, made by its make_fixtures.sh).
let fixturesURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/Media")

func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: fixturesURL.appendingPathComponent(name))
}

/// A fresh temporary directory, removed when the test case finishes.
func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-media-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

func rgb(_ image: RGBImage, _ x: Int, _ y: Int) -> (Int, Int, Int) {
    let i = image.index(x: x, y: y)
    return (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
}

/// Asserts the pixel at (x, y) is within `tolerance` of the colour, per channel.
func assertPixel(_ image: RGBImage, _ x: Int, _ y: Int, _ expected: (Int, Int, Int), tolerance: Int = 12,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    let p = rgb(image, x, y)
    let ok = abs(p.0 - expected.0) <= tolerance && abs(p.1 - expected.1) <= tolerance && abs(p.2 - expected.2) <= tolerance
    XCTAssert(ok, "pixel (\(x),\(y)) is \(p), expected \(expected) ±\(tolerance) \(message)", file: file, line: line)
}

let red = (255, 0, 0), green = (0, 255, 0), blue = (0, 0, 255), yellow = (255, 255, 0), white = (255, 255, 255)

/// Checks the four quadrant colours of an image (sampled at each quadrant's centre).
func assertQuadrants(_ image: RGBImage, _ tl: (Int, Int, Int), _ tr: (Int, Int, Int), _ bl: (Int, Int, Int),
                     _ br: (Int, Int, Int), tolerance: Int = 12, file: StaticString = #filePath, line: UInt = #line) {
    let w = image.width, h = image.height
    assertPixel(image, w / 4, h / 4, tl, tolerance: tolerance, "(top-left)", file: file, line: line)
    assertPixel(image, 3 * w / 4, h / 4, tr, tolerance: tolerance, "(top-right)", file: file, line: line)
    assertPixel(image, w / 4, 3 * h / 4, bl, tolerance: tolerance, "(bottom-left)", file: file, line: line)
    assertPixel(image, 3 * w / 4, 3 * h / 4, br, tolerance: tolerance, "(bottom-right)", file: file, line: line)
}

/// The 96x64 four-quadrant test pattern of the fixtures, built in memory.
func quadrantImage(width: Int = 96, height: Int = 64) -> RGBImage {
    var img = RGBImage(width: width, height: height)
    let colours: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    for y in 0..<height {
        for x in 0..<width {
            let c = colours[(y >= height / 2 ? 2 : 0) + (x >= width / 2 ? 1 : 0)]
            let i = img.index(x: x, y: y)
            img.pixels[i] = c.0; img.pixels[i + 1] = c.1; img.pixels[i + 2] = c.2
        }
    }
    return img
}

/// A smooth, textured image (gradients plus a few shapes), closer to a photo than flat colours.
func photoLikeImage(width: Int, height: Int, phase: Double = 0) -> RGBImage {
    var img = RGBImage(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width {
            let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
            let r = 128 + 100 * sin(6.0 * fx + phase) * cos(3.0 * fy)
            let g = 128 + 90 * cos(5.0 * fy - phase)
            // A disc with a ~1.5 px antialiased rim, as a lens renders edges (a hard one-pixel
            // step of saturated blue alone caps 4:2:0 chroma at ~36 dB PSNR).
            let d = hypot(fx - 0.5 - 0.1 * sin(phase), fy - 0.5)
            let t = max(0, min(1, (0.25 - d) * Double(width) / 1.5 + 0.5))
            let b = t * 220 + (1 - t) * (60 + 80 * fx)
            let i = img.index(x: x, y: y)
            img.pixels[i] = UInt8(max(0, min(255, r)))
            img.pixels[i + 1] = UInt8(max(0, min(255, g)))
            img.pixels[i + 2] = UInt8(max(0, min(255, b)))
        }
    }
    return img
}

/// Peak signal-to-noise ratio in dB between two same-sized images (∞ when identical).
func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
    precondition(a.width == b.width && a.height == b.height)
    var se = 0.0
    for i in 0..<a.pixels.count {
        let d = Double(a.pixels[i]) - Double(b.pixels[i])
        se += d * d
    }
    let mse = se / Double(a.pixels.count)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

/// Asserts `body` throws a MediaError whose underlying case satisfies `matches`.
func assertMediaError<T>(_ body: @autoclosure () throws -> T, _ what: String, file: StaticString = #filePath, line: UInt = #line,
                         _ matches: (MediaError) -> Bool) {
    do {
        _ = try body()
        XCTFail("\(what): expected an error, got success", file: file, line: line)
    } catch let e as MediaError {
        XCTAssert(matches(e.underlying), "\(what): unexpected error \(e)", file: file, line: line)
        XCTAssertFalse(e.description.isEmpty, file: file, line: line)
    } catch {
        XCTFail("\(what): not a MediaError: \(error)", file: file, line: line)
    }
}
