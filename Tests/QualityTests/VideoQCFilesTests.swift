import Foundation
import Media
import Quality
import XCTest

/// QC through real files: the synthetic clips encoded to H.264 MP4 by Media's writer and the
/// input as PNG, decoded back by Media's readers. The codec must not make the clean clip fail
/// nor hide a defect.
final class VideoQCFilesTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-qc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func files(_ clip: SyntheticClip) throws -> (video: URL, input: URL) {
        let video = dir.appendingPathComponent("clip.mp4"), input = dir.appendingPathComponent("input.png")
        _ = try MP4Writer.write(clip.frames, to: video, options: H264Options(rate: try FrameRate(8), crf: 18))
        try StillImageEncoder.write(clip.input, to: input)
        return (video, input)
    }

    func testACleanClipPassesAfterH264EncodingAndTheReportIsWritten() throws {
        let (video, input) = try files(SyntheticClips.standard)
        let r = try VideoQCFiles.check(video: video, input: input)
        XCTAssertEqual(r.frameCount, 16)
        XCTAssertTrue(r.passed, r.summary)
        let out = dir.appendingPathComponent("qc.json")
        try VideoQCFiles.write(r, to: out)
        XCTAssertEqual(try JSONDecoder().decode(QCReport.self, from: Data(contentsOf: out)), r)
    }

    func testAShakenClipStillFailsJitterOnlyAfterH264Encoding() throws {
        let (video, input) = try files(SyntheticClips.shaken())
        let r = try VideoQCFiles.check(video: video, input: input)
        XCTAssertEqual(r.failedCategories, [.jitter], r.summary)
    }

    func testAThresholdsFileOverridesTheDefaultsAndABadOneNamesTheFile() throws {
        let (video, input) = try files(SyntheticClips.standard)
        let strict = dir.appendingPathComponent("strict.json")
        try Data(#"{"fidelityMinSSIM": 1.0}"#.utf8).write(to: strict)
        let r = try VideoQCFiles.check(video: video, input: input, thresholds: strict)
        XCTAssertEqual(r.failedChecks, [.fidelitySSIM])

        let bad = dir.appendingPathComponent("bad.json")
        try Data(#"{"sharpness": 1}"#.utf8).write(to: bad)
        XCTAssertThrowsError(try VideoQCFiles.check(video: video, input: input, thresholds: bad)) { e in
            XCTAssertTrue("\(e)".contains("bad.json"), "\(e)")
            XCTAssertTrue("\(e)".contains("sharpness"), "\(e)")
        }
    }

    func testMissingFilesAreErrorsNamingThem() throws {
        let (video, _) = try files(SyntheticClips.frozen())
        let missing = dir.appendingPathComponent("nope.png")
        XCTAssertThrowsError(try VideoQCFiles.check(video: video, input: missing)) { e in
            XCTAssertTrue("\(e)".contains("nope.png"), "\(e)")
        }
    }
}
