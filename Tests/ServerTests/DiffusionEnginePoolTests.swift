import Foundation
import Media
import Motion
@testable import Server
import XCTest

/// `--devices 0,1,…`: one I2VGen-XL engine per GPU behind one `i2vgen-xl` engine. Jobs spread over
/// the GPUs, a GPU never runs two jobs at once, and `/healthz` sees the GPUs' combined state.
final class DiffusionEnginePoolTests: XCTestCase {
    /// An engine standing in for one GPU: records when it is busy and how many jobs it ran.
    final class FakeGPU: VideoEngine, @unchecked Sendable {
        let name = "i2vgen-xl"
        var status: EngineStatus { EngineStatus(name: name, state: state.current, detail: "fake gpu") }
        let state: Locked<EngineStatus.State>
        let busy = Locked(false)
        let jobs = Locked(0)
        let overlapped = Locked(false)
        let shared: Locked<Int>, peak: Locked<Int>
        init(state: EngineStatus.State = .ready, shared: Locked<Int>, peak: Locked<Int>) {
            self.state = Locked(state); self.shared = shared; self.peak = peak
        }
        func prepare() async {}
        func generate(plan: GenerationPlan, image: RGBImage, progress: @escaping @Sendable (PipelineProgress.Stage, Int, Int) -> Void,
                      isCancelled: @escaping @Sendable () -> Bool) throws -> EngineFrames {
            if busy.withLock({ let was = $0; $0 = true; return was }) { overlapped.withLock { $0 = true } }
            let now = shared.withLock { $0 += 1; return $0 }
            peak.withLock { $0 = max($0, now) }
            Thread.sleep(forTimeInterval: 0.05)
            shared.withLock { $0 -= 1 }
            jobs.withLock { $0 += 1 }
            busy.withLock { $0 = false }
            return EngineFrames(frames: [image], framedInput: image)
        }
    }

    func plan() throws -> (GenerationPlan, RGBImage) {
        let photo = try ImageDecoder.decode(Fixtures.bytes("mug.jpg")).image
        let plan = try Planner.builtIn(diffusionAvailable: true).plan(
            image: photo, title: "mug", options: PlanOverrides(engine: .i2vgenXL, width: 64, height: 64, frames: 4, steps: 1, seed: 1))
        return (plan, photo)
    }

    func testJobsRunSideBySideOnePerGPU() throws {
        let shared = Locked(0), peak = Locked(0)
        let gpus = [FakeGPU(shared: shared, peak: peak), FakeGPU(shared: shared, peak: peak)]
        let pool = DiffusionEnginePool(gpus)
        let (plan, photo) = try plan()
        let group = DispatchGroup()
        for _ in 0..<6 {
            group.enter()
            Thread {
                defer { group.leave() }
                _ = try? pool.generate(plan: plan, image: photo, progress: { _, _, _ in }, isCancelled: { false })
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(gpus.map { $0.jobs.current }.reduce(0, +), 6)
        XCTAssertTrue(gpus.allSatisfy { $0.jobs.current > 0 }, "every GPU ran jobs: \(gpus.map { $0.jobs.current })")
        XCTAssertFalse(gpus.contains { $0.overlapped.current }, "a GPU ran two jobs at once")
        XCTAssertEqual(peak.current, 2, "the two GPUs worked at the same time")
    }

    func testHealthCombinesTheGPUs() {
        let s = Locked(0), p = Locked(0)
        let a = FakeGPU(state: .ready, shared: s, peak: p), b = FakeGPU(state: .loading, shared: s, peak: p)
        let pool = DiffusionEnginePool([a, b])
        XCTAssertEqual(pool.status.state, .loading)
        b.state.withLock { $0 = .ready }
        XCTAssertEqual(pool.status.state, .ready)
        XCTAssertTrue(pool.status.detail.hasPrefix("2 GPUs"), pool.status.detail)
        b.state.withLock { $0 = .failed }
        XCTAssertEqual(pool.status.state, .failed)
    }

    func testDevicesSettingRaisesWorkersAndRefusesBadLists() throws {
        let config = try ConfigLoader.load(file: nil, environment: ["I2V_DEVICES": "0,1,2"], overrides: [:])
        XCTAssertEqual(config.devices, [0, 1, 2])
        XCTAssertEqual(config.workers, 3)
        let apiOnly = try ConfigLoader.load(file: nil, environment: [:], overrides: ["devices": "cuda:1", "workers": "0"])
        XCTAssertEqual(apiOnly.workers, 0, "an API-only server stays API-only")
        XCTAssertThrowsError(try ConfigLoader.load(file: nil, environment: [:], overrides: ["devices": "0,0"])) { error in
            XCTAssertTrue("\(error)".contains("devices"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigLoader.load(file: nil, environment: [:], overrides: ["device": "tpu"])) { error in
            XCTAssertTrue("\(error)".contains("device"), "\(error)")
        }
    }
}
