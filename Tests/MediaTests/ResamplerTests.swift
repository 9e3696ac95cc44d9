import Foundation
import XCTest
@testable import Media

/// Resampling reproduces Pillow's `Image.resize` exactly (fixtures made by Pillow 13 in
/// Tests/Fixtures/Media/make_fixtures.sh), for every filter, on downscale, upscale, mixed
/// scaling and a fractional source box.
final class ResamplerTests: XCTestCase {
    private let loose = DecodeOptions(limits: DecodeLimits(minimumSide: 1))

    func testMatchesPillowBitForBit() throws {
        let input = try ImageDecoder.decode(try fixture("resample_input.png"), options: loose).image
        let cases: [(String, Int, Int, ResampleBox?)] = [
            ("down", 20, 13, nil), ("up", 77, 50, nil), ("mixed", 60, 15, nil),
            ("box", 25, 21, ResampleBox(x0: 3.5, y0: 2.25, x1: 40, y1: 30.5)),
        ]
        for filter in ResampleFilter.allCases {
            for (name, w, h, box) in cases {
                let expected = try ImageDecoder.decode(try fixture("resample_\(filter.rawValue)_\(name).png"), options: loose).image
                let got = Resampler.resize(input, width: w, height: h, filter: filter, box: box)
                let diffs = zip(got.pixels, expected.pixels).filter { $0 != $1 }.count
                XCTAssertEqual(diffs, 0, "\(filter) \(name): \(diffs) of \(got.pixels.count) bytes differ from Pillow")
            }
        }
    }

    func testSameSizeIsIdentity() {
        let img = photoLikeImage(width: 33, height: 17)
        XCTAssertEqual(Resampler.resize(img, width: 33, height: 17), img)
    }

    func testDownscaleIsAntialiased() {
        // A one-pixel checkerboard averages to mid grey when downscaled 4x; point sampling would
        // give pure black or white.
        var img = RGBImage(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 where (x + y) % 2 == 0 { for c in 0..<3 { img.pixels[img.index(x: x, y: y) + c] = 255 } } }
        for filter in ResampleFilter.allCases {
            let small = Resampler.resize(img, width: 16, height: 16, filter: filter)
            for v in small.pixels { XCTAssertEqual(Double(v), 127.5, accuracy: 4, "\(filter)") }
        }
    }

    func testRGBAResizeDoesNotBleedTransparentColour() {
        // Left half transparent *black*, right half opaque white: the edge must stay white, not grey.
        var px = [UInt8](repeating: 0, count: 32 * 8 * 4)
        for y in 0..<8 { for x in 16..<32 { let i = (y * 32 + x) * 4; px[i] = 255; px[i + 1] = 255; px[i + 2] = 255; px[i + 3] = 255 } }
        let out = Resampler.resize(RGBAImage(width: 32, height: 8, pixels: px), width: 12, height: 3)
        for x in 0..<12 {
            let i = (1 * 12 + x) * 4
            if out.pixels[i + 3] > 20 { XCTAssertGreaterThan(out.pixels[i], 240, "x=\(x) alpha \(out.pixels[i + 3])") }
        }
    }
}

final class CropTests: XCTestCase {
    func testCropInsideAndOutsideTheImage() throws {
        let q = quadrantImage(width: 8, height: 4)
        let inner = try XCTUnwrap(q.cropped(x0: 4, y0: 0, x1: 8, y1: 2))
        XCTAssertEqual([inner.width, inner.height], [4, 2])
        assertPixel(inner, 0, 0, green, tolerance: 0)
        // Pillow semantics: a box reaching outside is zero-filled (diffusers' _center_crop_wide
        // relies on this for its one black row).
        let outer = try XCTUnwrap(q.cropped(x0: -1, y0: -1, x1: 3, y1: 2))
        assertPixel(outer, 0, 0, (0, 0, 0), tolerance: 0)
        assertPixel(outer, 1, 0, (0, 0, 0), tolerance: 0)
        assertPixel(outer, 1, 1, red, tolerance: 0)
        XCTAssertNil(q.cropped(x0: 2, y0: 2, x1: 2, y1: 3))
        let away = try XCTUnwrap(q.cropped(x0: 20, y0: 0, x1: 22, y1: 1))
        XCTAssertEqual(away.pixels, [0, 0, 0, 0, 0, 0])
    }
}
