import XCTest
@testable import Media

/// Looping a short clip to a delivery duration, and raising its frame rate.
final class FrameSequenceTests: XCTestCase {
    func testCycles() {
        XCTAssertEqual(FrameSequence.cycle(count: 4, mode: .forward), [0, 1, 2, 3])
        XCTAssertEqual(FrameSequence.cycle(count: 4, mode: .pingpong), [0, 1, 2, 3, 2, 1])
        XCTAssertEqual(FrameSequence.cycle(count: 2, mode: .pingpong), [0, 1])
        XCTAssertEqual(FrameSequence.cycle(count: 1, mode: .pingpong), [0])
    }

    func testExtendingToADuration() throws {
        let frames = Array(0..<16)
        let rate = try FrameRate(8)
        let six = try FrameSequence.arrange(frames, mode: .pingpong, duration: 6, rate: rate)
        XCTAssertEqual(six.count, 48)
        XCTAssertEqual(Array(six[14...17]), [14, 15, 14, 13], "turns around at the end")
        XCTAssertEqual(Array(six[29...31]), [1, 0, 1], "and at the start")
        let forward = try FrameSequence.arrange(frames, mode: .forward, duration: 3, rate: rate)
        XCTAssertEqual(Array(forward[14...17]), [14, 15, 0, 1])
        XCTAssertEqual(try FrameSequence.arrange(frames, mode: .pingpong).count, 30)
        XCTAssertThrowsError(try FrameSequence.arrange([Int](), mode: .forward))
        XCTAssertThrowsError(try FrameSequence.arrange(frames, mode: .forward, duration: -1, rate: rate))
    }

    func testBlendInterpolationDoublesTheRate() throws {
        let black = RGBImage(width: 8, height: 8), white = RGBImage(width: 8, height: 8, fill: (255, 255, 255))
        let out = try FrameSequence.interpolate([black, white, black], from: try FrameRate(8), to: try FrameRate(16))
        XCTAssertEqual(out.count, 6)
        XCTAssertEqual(out[0], black)
        XCTAssertEqual(out[1].pixels[0], 128, "halfway blend")
        XCTAssertEqual(out[2], white)
        XCTAssertEqual(out[5], black, "past the last source frame it holds")
        XCTAssertEqual(try FrameSequence.interpolate([black, white], from: try FrameRate(16), to: try FrameRate(8)).count, 2, "never drops frames")
    }

    func testFrameRateParsing() throws {
        XCTAssertEqual(try FrameRate(parsing: "29.97"), try FrameRate(numerator: 30000, denominator: 1001))
        XCTAssertEqual(try FrameRate(parsing: "12.5"), try FrameRate(numerator: 25, denominator: 2))
        XCTAssertEqual(try FrameRate(parsing: "16").fps, 16)
        XCTAssertEqual(try FrameRate(parsing: "30000/1001").description, "30000/1001")
    }
}
