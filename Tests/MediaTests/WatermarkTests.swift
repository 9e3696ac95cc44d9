import Foundation
import XCTest
@testable import Media

/// Logo and text watermarks: placement, scale, opacity, and the embedded font.
final class WatermarkTests: XCTestCase {
    private func logo(_ w: Int, _ h: Int) -> RGBAImage {
        // Opaque red square with a transparent border ring of 2 px.
        var px = [UInt8](repeating: 0, count: w * h * 4)
        for y in 2..<(h - 2) { for x in 2..<(w - 2) { let i = (y * w + x) * 4; px[i] = 255; px[i + 3] = 255 } }
        return RGBAImage(width: w, height: h, pixels: px)
    }

    func testLogoPlacementAtEachPosition() throws {
        let frame = RGBImage(width: 200, height: 100, fill: (0, 0, 255))
        for position in WatermarkPosition.allCases {
            let mark = try Watermark(logo: logo(40, 40), frameWidth: 200, frameHeight: 100,
                                     options: WatermarkOptions(position: position, margin: 0.1, scale: 0.2, opacity: 1))
            XCTAssertEqual([mark.overlay.width, mark.overlay.height], [40, 40], "0.2 of 200 px")
            let expected: (Int, Int)
            switch position {
            case .topLeft: expected = (10, 10)
            case .topRight: expected = (150, 10)
            case .bottomLeft: expected = (10, 50)
            case .bottomRight: expected = (150, 50)
            case .center: expected = (80, 30)
            }
            XCTAssertEqual([mark.x, mark.y], [expected.0, expected.1], "\(position)")
            var f = frame
            mark.apply(to: &f)
            assertPixel(f, expected.0 + 20, expected.1 + 20, red, tolerance: 0)
            assertPixel(f, expected.0, expected.1, blue, tolerance: 0, "transparent ring leaves the frame alone")
            assertPixel(f, expected.0 - 1, expected.1 + 20, blue, tolerance: 0)
        }
    }

    func testOpacityBlends() throws {
        let mark = try Watermark(logo: logo(20, 20), frameWidth: 100, frameHeight: 100,
                                 options: WatermarkOptions(position: .center, scale: 0.2, opacity: 0.5))
        var f = RGBImage(width: 100, height: 100, fill: (0, 0, 0))
        mark.apply(to: &f)
        XCTAssertEqual(Double(rgb(f, 50, 50).0), 127.5, accuracy: 1)
    }

    func testLargeLogoShrinksToFitTheMargins() throws {
        let mark = try Watermark(logo: logo(40, 200), frameWidth: 100, frameHeight: 100,
                                 options: WatermarkOptions(position: .topLeft, margin: 0.05, scale: 0.5))
        XCTAssertLessThanOrEqual(mark.overlay.height, 90)
        XCTAssertEqual(Double(mark.overlay.width) / Double(mark.overlay.height), 0.2, accuracy: 0.02)
    }

    func testLogoFromAPNGWithAlpha() throws {
        let png = try ImageDecoder.decodeRGBA(try fixture("alpha.png"), options: DecodeOptions(limits: DecodeLimits(minimumSide: 16)))
        let mark = try Watermark(logo: png, frameWidth: 320, frameHeight: 240, options: WatermarkOptions(scale: 0.3, opacity: 1))
        var f = RGBImage(width: 320, height: 240, fill: (0, 0, 0))
        mark.apply(to: &f)
        // The logo's left half is transparent, its right half green/yellow.
        assertPixel(f, mark.x + mark.overlay.width / 8, mark.y + mark.overlay.height / 4, (0, 0, 0), tolerance: 2)
        assertPixel(f, mark.x + mark.overlay.width * 7 / 8, mark.y + mark.overlay.height / 4, green, tolerance: 4)
    }

    func testTextUsesTheBitmapFontAtAWholeScale() throws {
        let mark = try Watermark(text: "Hi", color: .white, frameWidth: 140, frameHeight: 140,
                                 options: WatermarkOptions(position: .topLeft, margin: 0, scale: 0.1, opacity: 1))
        // 140 × 0.1 / 7 = 2 px per font pixel; "Hi" = 2 glyphs → (2·6 − 1)·2 = 22 px + 1 px shadow.
        XCTAssertEqual([mark.overlay.width, mark.overlay.height], [23, 15])
        var f = RGBImage(width: 140, height: 140, fill: (40, 40, 40))
        mark.apply(to: &f)
        let h = try XCTUnwrap(BitmapFont.mask("H"))
        for gy in 0..<7 {
            for gx in 0..<5 {
                let p = rgb(f, gx * 2, gy * 2)
                XCTAssertEqual(p.0 == 255, h[gy][gx], "H ink at (\(gx),\(gy))")
            }
        }
    }

    func testFontCoversPrintableASCII() throws {
        for v in 32...126 {
            let c = Character(UnicodeScalar(UInt8(v)))
            let m = try XCTUnwrap(BitmapFont.mask(c), "missing glyph \(c)")
            XCTAssertEqual(m.count, 7, "\(c)")
            XCTAssertTrue(m.allSatisfy { $0.count == 5 }, "\(c)")
            XCTAssertEqual(m.joined().contains(true), v != 32, "\(c) has ink")
        }
        XCTAssertEqual(BitmapFont.glyphs.count, 95)
    }

    func testBadWatermarkInputs() {
        assertMediaError(try Watermark(text: "价格", frameWidth: 200, frameHeight: 200), "non-ASCII") {
            if case .invalidArgument(let m) = $0 { return m.contains("ASCII") }
            return false
        }
        assertMediaError(try Watermark(text: "far too long a line for this frame", frameWidth: 64, frameHeight: 64), "too wide") {
            if case .invalidArgument = $0 { return true }
            return false
        }
        assertMediaError(try Watermark(logo: logo(10, 10), frameWidth: 64, frameHeight: 64, options: WatermarkOptions(opacity: 2)), "opacity") {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }
}
