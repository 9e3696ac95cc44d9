import Foundation
import Media
import Quality
import XCTest

/// Not a gate: with I2V_QC_TABLE=1 prints the detection-results table of docs/QC.md (metric
/// values of every synthetic clip) and the QC time of 16 frames at 512².
final class QCDetectionTableTests: XCTestCase {
    func testPrintDetectionTableAndTiming() throws {
        guard ProcessInfo.processInfo.environment["I2V_QC_TABLE"] == "1" else {
            throw XCTSkip("set I2V_QC_TABLE=1 to print the detection table and timing")
        }
        var clips: [SyntheticClip] = [
            SyntheticClips.clean(), SyntheticClips.shaken(), SyntheticClips.blurred(), SyntheticClips.flickering(),
            SyntheticClips.frozen(), SyntheticClips.blankLastFrame(), SyntheticClips.unrelated(),
            SyntheticClips.runaway(), SyntheticClips.cut(),
        ]
        let s = SyntheticClips.scene()
        clips.append(SyntheticClip(name: "still scene + σ 3 noise",
                                   frames: (0..<16).map { s.render(Camera(), noise: 3, noiseSeed: UInt64(200 + $0)) },
                                   input: SyntheticClips.input(s)))
        clips.append(SyntheticClip(name: "very slow pan (0.1 px/frame)",
                                   frames: (0..<16).map { s.render(Camera(panX: 0.1 * Double($0)), noise: 1, noiseSeed: UInt64(300 + $0)) },
                                   input: SyntheticClips.input(s)))
        let ids = QCCheckID.allCases.filter { $0 != .nonFiniteFrames }
        var lines = ["| clip | " + ids.map(\.rawValue).joined(separator: " | ") + " | failed |",
                     "|---|" + ids.map { _ in "---:" }.joined(separator: "|") + "|---|"]
        func row(_ name: String, _ r: QCReport, _ ids: [QCCheckID]) -> String {
            let cells = ids.map { id -> String in
                guard let c = r.check(id) else { return "" }
                let v = c.value.map { String(format: "%.3g", $0) } ?? "–"
                return c.failed ? "**\(v)**" : v
            }
            return "| \(name) | " + cells.joined(separator: " | ") + " | \(r.failedChecks.map(\.rawValue).joined(separator: ", ")) |"
        }
        for clip in clips {
            let r = try VideoQC.check(frames: clip.frames, input: clip.input)
            lines.append(row(clip.name, r, ids))
            print(r.summary)
        }
        // The clean and shaken clips through H.264 (CRF 18) and back.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-qc-table-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for clip in [SyntheticClips.standard, SyntheticClips.shaken()] {
            let video = dir.appendingPathComponent("clip.mp4"), input = dir.appendingPathComponent("input.png")
            _ = try MP4Writer.write(clip.frames, to: video, options: H264Options(rate: try FrameRate(8), crf: 18))
            try StillImageEncoder.write(clip.input, to: input)
            let r = try VideoQCFiles.check(video: video, input: input)
            lines.append(row(clip.name + ", H.264 CRF 18 round trip", r, ids))
        }
        let f = SyntheticClips.floatFrames(nanFrame: 7)
        let r = try VideoQC.check(floatFrames: f.frames, input: f.input)
        print(r.summary)
        lines.append(row("NaN block in frame 7 (float frames)", r, ids) + " frames.nonFinite = \(r.check(.nonFiniteFrames)?.value ?? -1)")
        print(lines.joined(separator: "\n"))

        // Timing: 16 frames at 512², best of 5 runs; wall time and process CPU time (all threads).
        let big = SyntheticClips.clean(width: 512, height: 512)
        func cpu() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
        }
        var bestWall = Double.infinity, bestCPU = Double.infinity
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpu()
            let r = try VideoQC.check(frames: big.frames, input: big.input)
            XCTAssertTrue(r.passed, r.summary)
            bestCPU = min(bestCPU, cpu() - c0)
            bestWall = min(bestWall, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        print(String(format: "QC of 16 frames at 512x512: best of 5 = %.1f ms wall, %.1f ms CPU (all threads), %d cores",
                     bestWall, bestCPU, ProcessInfo.processInfo.activeProcessorCount))
    }
}
