import Foundation
import XCTest
@testable import Media

/// Decoding: every supported variant of JPEG, PNG and WebP comes out as the same oriented,
/// alpha-composited RGB picture.
final class ImageDecoderTests: XCTestCase {
    private func decode(_ name: String, _ options: DecodeOptions = DecodeOptions(limits: DecodeLimits(minimumSide: 16))) throws -> DecodedImage {
        try ImageDecoder.decode(try fixture(name), options: options)
    }

    func testBaselineProgressiveAndGreyJPEG() throws {
        let base = try decode("quadrants.jpg")
        XCTAssertEqual(base.format, .jpeg)
        XCTAssertEqual([base.image.width, base.image.height], [96, 64])
        XCTAssertFalse(base.progressive)
        assertQuadrants(base.image, red, green, blue, yellow)

        let prog = try decode("progressive.jpg")
        XCTAssertTrue(prog.progressive)
        assertQuadrants(prog.image, red, green, blue, yellow)

        let grey = try decode("grey.jpg")
        let g = rgb(grey.image, 10, 10)
        XCTAssertEqual(g.0, g.1)
        XCTAssertEqual(g.1, g.2)
        XCTAssertEqual(Double(g.0), 76, accuracy: 6, "ITU-R 601 luma of pure red")
    }

    func testAdobeCMYKJPEGIsConvertedToRGB() throws {
        let info = try ImageDecoder.info(try fixture("cmyk_adobe.jpg"))
        XCTAssertEqual(info.jpegColorModel, "CMYK (Adobe, inverted)")
        assertQuadrants(try decode("cmyk_adobe.jpg").image, red, green, blue, yellow, tolerance: 16)
    }

    func testCMYKAndYCCKWithAndWithoutAdobeMarker() throws {
        let q = quadrantImage()
        // Naive RGB -> CMYK: K = 255 - max(R,G,B); C = (255 - R - K)... stored as ink amounts.
        var ink = [UInt8](), inverted = [UInt8]()
        for i in stride(from: 0, to: q.pixels.count, by: 3) {
            let r = Int(q.pixels[i]), g = Int(q.pixels[i + 1]), b = Int(q.pixels[i + 2])
            let k = 255 - max(r, g, b)
            let den = max(1, 255 - k)
            let c = [(255 - r - k) * 255 / den, (255 - g - k) * 255 / den, (255 - b - k) * 255 / den, k]
            ink += c.map { UInt8($0) }
            inverted += c.map { UInt8(255 - $0) }
        }
        let cases: [(String, [UInt8], Bool, Bool)] = [
            ("CMYK, no Adobe marker (plain ink)", ink, false, false),
            ("CMYK, Adobe marker (inverted)", inverted, false, true),
            ("YCCK, Adobe marker (inverted)", inverted, true, true),
        ]
        for (name, data, ycck, adobe) in cases {
            let jpeg = try JPEGCodec.encodeCMYK(data, width: q.width, height: q.height, ycck: ycck, adobeMarker: adobe, quality: 95)
            let decoded = try ImageDecoder.decode(jpeg, options: DecodeOptions(limits: DecodeLimits(minimumSide: 16)))
            XCTAssertEqual(try ImageDecoder.info(Data(jpeg)).jpegColorModel?.hasPrefix(ycck ? "YCCK" : "CMYK"), true, name)
            assertQuadrants(decoded.image, red, green, blue, yellow, tolerance: 16)
        }
    }

    func testEXIFOrientationFromAnIndependentWriter() throws {
        let d = try decode("orientation6.jpg")
        XCTAssertEqual(d.orientation, .right)
        XCTAssertEqual([d.image.width, d.image.height], [64, 96])
        // Rotated 90° clockwise: the stored bottom-left (blue) is now top-left.
        assertQuadrants(d.image, blue, red, yellow, green)
        var options = DecodeOptions(limits: DecodeLimits(minimumSide: 16))
        options.applyOrientation = false
        XCTAssertEqual(try decode("orientation6.jpg", options).image.width, 96)
    }

    func testAllEightEXIFOrientations() throws {
        let q = quadrantImage()
        // Expected display quadrants (TL, TR, BL, BR) for each orientation of the stored pattern.
        let expected: [EXIFOrientation: [(Int, Int, Int)]] = [
            .up: [red, green, blue, yellow],
            .upMirrored: [green, red, yellow, blue],
            .down: [yellow, blue, green, red],
            .downMirrored: [blue, yellow, red, green],
            .leftMirrored: [red, blue, green, yellow],
            .right: [blue, red, yellow, green],
            .rightMirrored: [yellow, green, blue, red],
            .left: [green, yellow, red, blue],
        ]
        for o in EXIFOrientation.allCases {
            let jpeg = try JPEGCodec.encode(q, quality: 95, exif: o.tiffBlock)
            let d = try ImageDecoder.decode(jpeg, options: DecodeOptions(limits: DecodeLimits(minimumSide: 16)))
            XCTAssertEqual(d.orientation, o)
            XCTAssertEqual(d.image.width, o.swapsAxes ? 64 : 96, "\(o)")
            let e = expected[o]!
            assertQuadrants(d.image, e[0], e[1], e[2], e[3])
        }
    }

    func testEXIFParserToleratesGarbage() {
        XCTAssertEqual(EXIFOrientation.parse(tiff: []), .up)
        XCTAssertEqual(EXIFOrientation.parse(tiff: Array("MM\0*\u{7F}\u{7F}\u{7F}\u{7F}".utf8)), .up)
        var block = EXIFOrientation.left.tiffBlock
        XCTAssertEqual(EXIFOrientation.parse(tiff: block), .left)
        block[18] = 9   // not an orientation value
        XCTAssertEqual(EXIFOrientation.parse(tiff: block), .up)
        XCTAssertEqual(EXIFOrientation.parse(tiff: Array(EXIFOrientation.right.tiffBlock.prefix(15))), .up)
    }

    func testPNGVariants() throws {
        for name in ["quadrants.png", "rgb16.png", "palette.png"] {
            let d = try decode(name)
            XCTAssertEqual(d.format, .png, name)
            XCTAssertFalse(d.hadAlpha, name)
            assertQuadrants(d.image, red, green, blue, yellow, tolerance: 1)
        }
        for name in ["grey.png", "grey16.png"] {
            let d = try decode(name)
            let tl = rgb(d.image, 10, 10)
            XCTAssertEqual(Double(tl.0), 76, accuracy: 2, name)
            XCTAssertEqual(tl.0, tl.2, name)
        }
    }

    func testPNGTransparencyIsCompositedOverTheBackground() throws {
        for name in ["alpha.png", "rgba16.png"] {
            let d = try decode(name)
            XCTAssertTrue(d.hadAlpha, name)
            assertQuadrants(d.image, white, green, white, yellow, tolerance: 1)
        }
        let trns = try decode("palette_trns.png")
        XCTAssertTrue(trns.hadAlpha)
        assertQuadrants(trns.image, white, green, blue, yellow, tolerance: 1)

        var onBlack = DecodeOptions(limits: DecodeLimits(minimumSide: 16))
        onBlack.background = .black
        assertQuadrants(try decode("alpha.png", onBlack).image, (0, 0, 0), green, (0, 0, 0), yellow, tolerance: 1)

        let ga = try decode("grey_alpha.png")
        assertPixel(ga.image, 10, 10, white, tolerance: 1)
    }

    func testDecodeRGBAKeepsAlpha() throws {
        let logo = try ImageDecoder.decodeRGBA(try fixture("alpha.png"), options: DecodeOptions(limits: DecodeLimits(minimumSide: 16)))
        XCTAssertEqual(logo.pixels[3], 0)
        XCTAssertEqual(logo.pixels[(10 * 96 + 80) * 4 + 3], 255)
        XCTAssertTrue(logo.hasTransparency)
    }

    func testWebPVariants() throws {
        for name in ["lossy.webp", "lossless.webp"] {
            let d = try decode(name)
            XCTAssertEqual(d.format, .webp)
            assertQuadrants(d.image, red, green, blue, yellow, tolerance: name == "lossless.webp" ? 0 : 16)
        }
        for name in ["alpha_lossy.webp", "alpha_lossless.webp"] {
            let d = try decode(name)
            XCTAssertTrue(d.hadAlpha, name)
            assertQuadrants(d.image, white, green, white, yellow, tolerance: 16)
        }
        let anim = try decode("animated.webp")
        XCTAssertTrue(anim.animated)
        assertQuadrants(anim.image, red, red, red, red, tolerance: 0)
    }

    func testHeaderInfoWithoutDecoding() throws {
        let info = try ImageDecoder.info(try fixture("orientation6.jpg"))
        XCTAssertEqual(info.format, .jpeg)
        XCTAssertEqual([info.width, info.height, info.displayWidth, info.displayHeight], [96, 64, 64, 96])
        XCTAssertEqual(try ImageDecoder.info(try fixture("animated.webp")).animated, true)
        XCTAssertEqual(try ImageDecoder.info(try fixture("alpha.png")).hasAlpha, true)
    }

    func testFormatComesFromContentNotName() throws {
        let dir = try temporaryDirectory(self)
        let misnamed = dir.appendingPathComponent("photo.png")
        try fixture("quadrants.jpg").write(to: misnamed)
        let d = try ImageDecoder.decode(contentsOf: misnamed, options: DecodeOptions(limits: DecodeLimits(minimumSide: 16)))
        XCTAssertEqual(d.format, .jpeg)
    }

    func testDCTScaledDecodeKeepsTheRequestedShortSide() throws {
        let big = photoLikeImage(width: 800, height: 600)
        let jpeg = try JPEGCodec.encode(big, quality: 90)
        var options = DecodeOptions()
        options.minimumShortSide = 140
        let d = try ImageDecoder.decode(jpeg, options: options)
        XCTAssertEqual([d.image.width, d.image.height], [200, 150], "1/4 scale is the smallest keeping 140 px")
        XCTAssertEqual([d.storedWidth, d.storedHeight], [800, 600])
    }
}
