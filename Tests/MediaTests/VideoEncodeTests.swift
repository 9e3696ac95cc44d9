import Foundation
import XCTest
@testable import Media

/// H.264 MP4 output, checked with the real ffprobe, plus round trips through our own reader.
final class VideoEncodeTests: XCTestCase {
    /// A 16-frame clip with motion (a moving disc over gradients).
    private func clip(width: Int = 128, height: Int = 96, frames: Int = 16) -> [RGBImage] {
        (0..<frames).map { photoLikeImage(width: width, height: height, phase: Double($0) * 0.15) }
    }

    func testMP4MeetsTheDeliverySpec() throws {
        let dir = try temporaryDirectory(self)
        let url = dir.appendingPathComponent("clip.mp4")
        let rate = try FrameRate(8)
        let report = try MP4Writer.write(clip(), to: url, options: H264Options(rate: rate, crf: 18, preset: "ultrafast"))
        XCTAssertEqual(report.encoder, "libx264")
        XCTAssertEqual(report.frames, 16)
        XCTAssertGreaterThan(report.bytes, 0)

        let json = try ffprobe(url)
        let s = probeStream(json)
        XCTAssertEqual(s["codec_name"] as? String, "h264")
        XCTAssertEqual(s["profile"] as? String, "High", "even with preset ultrafast")
        XCTAssertEqual(s["pix_fmt"] as? String, "yuv420p")
        XCTAssertEqual(s["width"] as? Int, 128)
        XCTAssertEqual(s["height"] as? Int, 96)
        XCTAssertEqual(s["avg_frame_rate"] as? String, "8/1")
        XCTAssertEqual(s["r_frame_rate"] as? String, "8/1")
        XCTAssertEqual(s["nb_read_frames"] as? String, "16")
        XCTAssertEqual(s["color_primaries"] as? String, "bt709")
        XCTAssertEqual(s["color_transfer"] as? String, "bt709")
        XCTAssertEqual(s["color_space"] as? String, "bt709")
        XCTAssertEqual(s["color_range"] as? String, "tv")
        let format = json["format"] as? [String: Any]
        XCTAssertEqual(Double(format?["duration"] as? String ?? "") ?? 0, 2.0, accuracy: 0.01)

        let boxes = try mp4TopLevelBoxes(url)
        let moov = try XCTUnwrap(boxes.firstIndex(of: "moov")), mdat = try XCTUnwrap(boxes.firstIndex(of: "mdat"))
        XCTAssertLessThan(moov, mdat, "faststart: moov before mdat, boxes \(boxes)")
        XCTAssertEqual(boxes.first, "ftyp")
        // No temporary file is left next to the output.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["clip.mp4"])
    }

    func testNTSCFrameRateIsExact() throws {
        let url = try temporaryDirectory(self).appendingPathComponent("ntsc.mp4")
        try MP4Writer.write(clip(frames: 10), to: url, options: H264Options(rate: try FrameRate(parsing: "23.976"), preset: "ultrafast"))
        let s = probeStream(try ffprobe(url))
        XCTAssertEqual(s["avg_frame_rate"] as? String, "24000/1001")
        XCTAssertEqual(s["nb_read_frames"] as? String, "10")
    }

    /// Bound: at CRF 18 every decoded frame is within 35 dB PSNR of its source.
    func testRoundTripPSNRAtCRF18() throws {
        let url = try temporaryDirectory(self).appendingPathComponent("rt.mp4")
        let source = clip(width: 160, height: 128)
        try MP4Writer.write(source, to: url, options: H264Options(rate: try FrameRate(16), crf: 18, preset: "medium"))
        let decoded = try VideoReader.readFrames(url)
        XCTAssertEqual(decoded.count, source.count)
        var worst = Double.infinity
        for (a, b) in zip(source, decoded) { worst = min(worst, psnr(a, b)) }
        XCTAssertGreaterThan(worst, 35, "worst frame PSNR \(worst) dB")
        print("MP4 CRF 18 round trip: worst frame PSNR \(String(format: "%.2f", worst)) dB")

        let info = try VideoReader.info(url)
        XCTAssertEqual(info.codec, "h264")
        XCTAssertEqual(info.profile, "High")
        XCTAssertEqual(info.pixelFormat, "yuv420p")
        XCTAssertEqual(info.frameCount, 16)
        XCTAssertEqual(info.fps, 16, accuracy: 1e-9)
        XCTAssertEqual(info.duration, 1.0, accuracy: 0.01)
    }

    func testColoursSurviveTheBT709RoundTrip() throws {
        // Flat primaries: a wrong matrix (bt601 vs bt709) would shift these by 10+ levels.
        let url = try temporaryDirectory(self).appendingPathComponent("colours.mp4")
        let frames = [quadrantImage(width: 128, height: 64), quadrantImage(width: 128, height: 64)]
        try MP4Writer.write(frames, to: url, options: H264Options(rate: try FrameRate(8), crf: 10, preset: "ultrafast"))
        let decoded = try XCTUnwrap(VideoReader.readFrames(url).first)
        assertQuadrants(decoded, red, green, blue, yellow, tolerance: 6)
    }

    func testNVENCRequestFallsBackWithANote() throws {
        // This host may or may not have a usable NVENC; either way a valid H.264 MP4 comes out,
        // and when libx264 was used instead of NVENC the report says why.
        let url = try temporaryDirectory(self).appendingPathComponent("nv.mp4")
        let report = try MP4Writer.write(clip(frames: 4), to: url, options: H264Options(rate: try FrameRate(8), encoder: .nvenc))
        if report.encoder == "libx264" {
            XCTAssertTrue(report.notes.contains { $0.contains("h264_nvenc is not available") }, "\(report.notes)")
        } else {
            XCTAssertEqual(report.encoder, "h264_nvenc")
        }
        XCTAssertEqual(probeStream(try ffprobe(url))["codec_name"] as? String, "h264")
    }

    func testInvalidEncoderInputs() throws {
        let dir = try temporaryDirectory(self)
        let rate = try FrameRate(8)
        assertMediaError(try MP4Writer(url: dir.appendingPathComponent("odd.mp4"), width: 127, height: 96, options: H264Options(rate: rate)), "odd width") {
            if case .invalidArgument(let m) = $0 { return m.contains("even") }
            return false
        }
        assertMediaError(try MP4Writer(url: dir.appendingPathComponent("x.mp4"), width: 128, height: 96, options: H264Options(rate: rate, crf: 60)), "crf") {
            if case .invalidArgument = $0 { return true }
            return false
        }
        assertMediaError(try MP4Writer(url: dir.appendingPathComponent("x.mp4"), width: 128, height: 96, options: H264Options(rate: rate, preset: "warp")), "preset") {
            if case .invalidArgument = $0 { return true }
            return false
        }
        let writer = try MP4Writer(url: dir.appendingPathComponent("mixed.mp4"), width: 128, height: 96, options: H264Options(rate: rate, preset: "ultrafast"))
        try writer.append(photoLikeImage(width: 128, height: 96))
        assertMediaError(try writer.append(photoLikeImage(width: 64, height: 96)), "size change") {
            if case .invalidArgument = $0 { return true }
            return false
        }
        assertMediaError(try MP4Writer(url: URL(fileURLWithPath: "/nonexistent-dir/x.mp4"), width: 128, height: 96, options: H264Options(rate: rate)), "unwritable") { _ in true }
        XCTAssertThrowsError(try FrameRate(parsing: "fast"))
        XCTAssertThrowsError(try FrameRate(0))
    }

    func testAbandonedWriterLeavesNoFile() throws {
        let dir = try temporaryDirectory(self)
        do {
            let writer = try MP4Writer(url: dir.appendingPathComponent("never.mp4"), width: 64, height: 64, options: H264Options(rate: try FrameRate(8), preset: "ultrafast"))
            try writer.append(photoLikeImage(width: 64, height: 64))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }
}
