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
        let clips: [SyntheticClip] = [
            SyntheticClips.clean(), SyntheticClips.shaken(), SyntheticClips.blurred(), SyntheticClips.flickering(),
            SyntheticClips.frozen(), SyntheticClips.blankLastFrame(), SyntheticClips.unrelated(),
            SyntheticClips.runaway(), SyntheticClips.cut(),
        ]
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
