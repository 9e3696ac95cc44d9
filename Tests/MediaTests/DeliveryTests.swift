import Foundation
import XCTest
@testable import Media

/// The whole delivery stage: a 16-frame clip becomes a 6 s ping-pong MP4 with WebP, GIF and
/// poster beside it; probe reports each.
final class DeliveryTests: XCTestCase {
    func testSixSecondPingPongDelivery() throws {
        let dir = try temporaryDirectory(self)
        let frames = (0..<16).map { photoLikeImage(width: 96, height: 64, phase: Double($0) * 0.1) }
        let mark = try Watermark(text: "i2v", frameWidth: 96, frameHeight: 64, options: WatermarkOptions(scale: 0.15))
        let options = DeliveryOptions(sourceRate: try FrameRate(8), mp4: dir.appendingPathComponent("out.mp4"), loop: .pingpong,
                                      duration: 6, crf: 20, preset: "veryfast", watermark: mark,
                                      webp: dir.appendingPathComponent("out.webp"), gif: dir.appendingPathComponent("out.gif"),
                                      poster: dir.appendingPathComponent("out.jpg"))
        let report = try Delivery.encode(frames, options: options)
        XCTAssertEqual(report.mp4Frames, 48)
        XCTAssertEqual(report.cycleFrames, 30)
        XCTAssertEqual(report.extraOutputs.count, 3)

        let s = probeStream(try ffprobe(dir.appendingPathComponent("out.mp4")))
        XCTAssertEqual(s["nb_read_frames"] as? String, "48")
        XCTAssertEqual(s["avg_frame_rate"] as? String, "8/1")

        let mp4 = try MediaProbe.probe(dir.appendingPathComponent("out.mp4"))
        XCTAssertNil(mp4.image)
        XCTAssertEqual(mp4.video?.duration ?? 0, 6, accuracy: 0.01)
        let webp = try MediaProbe.probe(dir.appendingPathComponent("out.webp"))
        XCTAssertEqual(webp.image?.animated, true)
        XCTAssertEqual(webp.video?.frameCount, 30)
        XCTAssertEqual(try MediaProbe.probe(dir.appendingPathComponent("out.gif")).video?.frameCount, 30)
        let poster = try MediaProbe.probe(dir.appendingPathComponent("out.jpg"))
        XCTAssertEqual(poster.image?.format, .jpeg)
        XCTAssertTrue(poster.fields.contains { $0 == ("kind", "image") })

        // The watermark is in every MP4 frame (bottom-right white text).
        let decoded = try VideoReader.readFrames(dir.appendingPathComponent("out.mp4"))
        XCTAssertEqual(decoded.count, 48)
        let overlayWhite = (0..<mark.overlay.pixels.count / 4).filter { mark.overlay.pixels[$0 * 4 + 3] > 150 && mark.overlay.pixels[$0 * 4] == 255 }
        let probe = try XCTUnwrap(overlayWhite.first)
        let px = mark.x + probe % mark.overlay.width, py = mark.y + probe / mark.overlay.width
        for f in [decoded[0], decoded[20], decoded[47]] { XCTAssertGreaterThan(rgb(f, px, py).0, 150) }
    }

    func testInterpolationDoublesTheMP4Rate() throws {
        let dir = try temporaryDirectory(self)
        let frames = (0..<8).map { photoLikeImage(width: 64, height: 64, phase: Double($0) * 0.3) }
        let report = try Delivery.encode(frames, options: DeliveryOptions(sourceRate: try FrameRate(8), mp4: dir.appendingPathComponent("i.mp4"),
                                                                          interpolateTo: try FrameRate(16), preset: "ultrafast"))
        XCTAssertEqual(report.mp4Frames, 16)
        let s = probeStream(try ffprobe(dir.appendingPathComponent("i.mp4")))
        XCTAssertEqual(s["avg_frame_rate"] as? String, "16/1")
        XCTAssertEqual(s["nb_read_frames"] as? String, "16")
    }

    func testProbeRejectsGarbage() throws {
        let dir = try temporaryDirectory(self)
        let junk = dir.appendingPathComponent("junk.mp4")
        try Data("this is not a video at all".utf8).write(to: junk)
        assertMediaError(try MediaProbe.probe(junk), "junk") {
            if case .videoDecodeFailed = $0 { return true }
            return false
        }
        let empty = dir.appendingPathComponent("empty.jpg")
        try Data().write(to: empty)
        assertMediaError(try MediaProbe.probe(empty), "empty") { $0 == .emptyInput }
    }
}
