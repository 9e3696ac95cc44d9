import Foundation
import XCTest
@testable import Media

/// Animated WebP, GIF and poster images: valid files, loop forever, right frame count and
/// timing, pixels close to the source.
final class AnimationEncodeTests: XCTestCase {
    private func clip(frames: Int = 12) -> [RGBImage] {
        (0..<frames).map { photoLikeImage(width: 96, height: 80, phase: Double($0) * 0.2) }
    }

    func testAnimatedWebPRoundTrip() throws {
        let dir = try temporaryDirectory(self)
        let url = dir.appendingPathComponent("clip.webp")
        let source = clip()
        let bytes = try WebPAnimationWriter.encode(source, options: .init(rate: try FrameRate(8), quality: 90))
        try Data(bytes).write(to: url)
        XCTAssertEqual(Array(bytes[0..<4]), Array("RIFF".utf8))
        // ANIM chunk: background colour (4 bytes) then loop count 0 = forever.
        let anim = try XCTUnwrap((0..<(bytes.count - 10)).first { Array(bytes[$0..<($0 + 4)]) == Array("ANIM".utf8) })
        XCTAssertEqual(Int(bytes[anim + 12]) | Int(bytes[anim + 13]) << 8, 0)

        let info = try VideoReader.info(url)
        XCTAssertEqual(info.frameCount, 12)
        XCTAssertEqual(info.duration, 1.5, accuracy: 0.001)
        XCTAssertEqual([info.width, info.height], [96, 80])
        let decoded = try VideoReader.readFrames(url)
        var worst = Double.infinity
        for (a, b) in zip(source, decoded) { worst = min(worst, psnr(a, b)) }
        XCTAssertGreaterThan(worst, 30, "WebP q90 worst frame PSNR \(worst)")
        // The decoder's first-frame path reads it too.
        XCTAssertTrue(try ImageDecoder.decode(bytes).animated)

        let lossless = try WebPAnimationWriter.encode(source, options: .init(rate: try FrameRate(8), lossless: true))
        try Data(lossless).write(to: url)
        XCTAssertEqual(try VideoReader.readFrames(url), source, "lossless WebP is exact")
    }

    func testGIFIsExactWhenThePaletteFits() throws {
        // Four flat colours fit a palette exactly: without dithering the GIF is lossless.
        let frames = (0..<5).map { i -> RGBImage in
            var q = quadrantImage(width: 96, height: 64)
            for y in 20..<30 { for x in (i * 10)..<(i * 10 + 10) { let k = q.index(x: x, y: y); q.pixels[k] = 255; q.pixels[k + 1] = 255; q.pixels[k + 2] = 255 } }
            return q
        }
        let url = try temporaryDirectory(self).appendingPathComponent("exact.gif")
        try Data(try GIFWriter.encode(frames, options: .init(rate: try FrameRate(10), dither: false))).write(to: url)
        let decoded = try VideoReader.readFrames(url)
        XCTAssertEqual(decoded.count, 5)
        XCTAssertEqual(decoded, frames)
        let s = probeStream(try ffprobe(url))
        XCTAssertEqual(s["codec_name"] as? String, "gif")
        XCTAssertEqual(s["nb_read_frames"] as? String, "5")
    }

    func testGIFOfAPhotoLikeClip() throws {
        let url = try temporaryDirectory(self).appendingPathComponent("clip.gif")
        let source = clip(frames: 16)
        let bytes = try GIFWriter.encode(source, options: .init(rate: try FrameRate(16)))
        try Data(bytes).write(to: url)
        XCTAssertEqual(Array(bytes.prefix(6)), Array("GIF89a".utf8))
        XCTAssertNotNil((0..<(bytes.count - 11)).first { Array(bytes[$0..<($0 + 11)]) == Array("NETSCAPE2.0".utf8) }, "loop extension")
        let decoded = try VideoReader.readFrames(url)
        XCTAssertEqual(decoded.count, 16)
        var worst = Double.infinity
        for (a, b) in zip(source, decoded) { worst = min(worst, psnr(a, b)) }
        XCTAssertGreaterThan(worst, 24, "dithered 256-colour GIF worst frame PSNR \(worst)")
        // 16 fps = 6.25 cs per frame: delays alternate so 16 frames last exactly 1 s.
        let json = try ffprobe(url)
        XCTAssertEqual(Double((json["format"] as? [String: Any])?["duration"] as? String ?? "") ?? 0, 1.0, accuracy: 0.011)
    }

    func testGIFLZWHandlesTableResets() throws {
        // Noise forces the 4096-entry code table to fill and reset many times.
        var rng = DecoderFuzzTests.SplitMix64(state: 42)
        var noise = RGBImage(width: 200, height: 150)
        for i in 0..<noise.pixels.count { noise.pixels[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let url = try temporaryDirectory(self).appendingPathComponent("noise.gif")
        let bytes = try GIFWriter.encode([noise], options: .init(rate: try FrameRate(8), dither: false))
        try Data(bytes).write(to: url)
        let decoded = try XCTUnwrap(VideoReader.readFrames(url).first)
        // Each pixel maps to the palette entry our quantiser chose.
        let palette = GIFPalette(frames: [noise])
        let expected = GIFWriter.quantize(noise, palette: palette, dither: false, strength: 0)
        for i in stride(from: 0, to: expected.count, by: 97) {
            let c = palette.colors[Int(expected[i])]
            XCTAssertEqual([decoded.pixels[3 * i], decoded.pixels[3 * i + 1], decoded.pixels[3 * i + 2]], [c.0, c.1, c.2], "pixel \(i)")
        }
    }

    func testGIFRejectsFrameRatesItCannotRepresent() {
        assertMediaError(try GIFWriter.encode(clip(frames: 2), options: .init(rate: try FrameRate(60))), "60 fps") {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }

    func testPosterFormats() throws {
        let image = photoLikeImage(width: 96, height: 80)
        for format in StillImageFormat.allCases {
            let bytes = try StillImageEncoder.encode(image, format: format, quality: 92)
            let decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(limits: DecodeLimits(minimumSide: 8)))
            XCTAssertEqual(decoded.format.rawValue, format.rawValue)
            XCTAssertGreaterThan(psnr(decoded.image, image), format == .png ? .infinity.nextDown : 32, "\(format)")
        }
        let dir = try temporaryDirectory(self)
        try StillImageEncoder.write(image, to: dir.appendingPathComponent("poster.jpg"))
        XCTAssertEqual(try ImageDecoder.info(Data(contentsOf: dir.appendingPathComponent("poster.jpg"))).format, .jpeg)
        XCTAssertThrowsError(try StillImageEncoder.write(image, to: dir.appendingPathComponent("poster.bmp")))
    }
}
