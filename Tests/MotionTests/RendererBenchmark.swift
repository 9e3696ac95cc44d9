import Foundation
import Media
import XCTest
@testable import Motion

/// Not a test: the renderer benchmark run by `scripts/bench_renderer.sh` (set I2V_BENCH=1).
/// It prints timings and asserts nothing about speed.
final class RendererBenchmark: XCTestCase {
    /// User + system CPU time of this process (all threads).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
    }

    func testBenchmarkRenderer() throws {
        guard ProcessInfo.processInfo.environment["I2V_BENCH"] == "1" else {
            throw XCTSkip("benchmark: run scripts/bench_renderer.sh")
        }
        let image = MotionFixtures.studioProduct(width: 1024, height: 1024, colour: (40, 80, 170))
        let busy = MotionFixtures.busyScene(width: 1024, height: 768)
        let planner = try Planner.builtIn()
        let cases: [(String, String, RGBImage)] = [
            ("digital.orbit", "studio 1024² photo", image), ("apparel.sway", "studio 1024² photo", image),
            ("beauty.apply", "studio 1024² photo", image), ("furniture.room", "busy 1024×768 photo", busy),
        ]
        print("load average before: \(Self.loadAverage())")
        print("| template | source | frames | size | wall, best of 3 (s) | CPU (s) | ms/frame |")
        print("|---|---|---|---|---|---|---|")
        for (id, label, img) in cases {
            var o = PlanOverrides(template: id, width: 512, height: 512, frames: 16, seed: 1)
            o.motionStrength = 1
            let plan = try planner.plan(image: img, title: "", options: o)
            var best = Double.infinity, bestCPU = Double.infinity
            for _ in 0..<3 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let c0 = Self.processCPUSeconds()
                let frames = try TemplateRenderer.render(plan: plan, image: img)
                let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                XCTAssertEqual(frames.count, 16)
                best = min(best, dt)
                bestCPU = min(bestCPU, Self.processCPUSeconds() - c0)
            }
            print(String(format: "| %@ | %@ | 16 | 512×512 | %.3f | %.3f | %.1f |", id, label, best, bestCPU, best * 1000 / 16))
        }
    }
}
