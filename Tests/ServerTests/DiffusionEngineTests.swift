import Foundation
import Hummingbird
import HummingbirdTesting
import I2VGenXL
import Jobs
import Logging
import Media
import Motion
import XCTest
@testable import Server

/// The I2VGen-XL engine adapter with a real (tiny, random-weight) diffusers pipeline: the
/// server loads it in the background, runs jobs on it with step progress, and applies the
/// delivery QC to what it makes.
final class DiffusionEngineTests: XCTestCase {
    /// Tests/Fixtures/tiny-square/model: the 32×32, 4-frame random-weight pipeline of the parity
    /// tests. It runs at any size that is a multiple of 8.
    static let tinyModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tiny-square/model").path

    /// Holds the model load until the test opens it, so `loading` can be observed.
    final class Gate: @unchecked Sendable {
        private let condition = NSCondition()
        private var isOpen = false
        func open() { condition.lock(); isOpen = true; condition.broadcast(); condition.unlock() }
        func wait() { condition.lock(); while !isOpen { condition.wait() }; condition.unlock() }
    }

    func gatedEngine(_ gate: Gate) -> DiffusionEngine {
        DiffusionEngine(modelPath: Self.tinyModel, device: .cpu) { path, backends in
            gate.wait()
            return try I2VGenXLPipeline.load(from: path, backend: backends.model, vaeBackend: backends.vae)
        }
    }

    /// /healthz says loading until the weights are in, then ready. A job that asks for
    /// i2vgen-xl meanwhile waits for them, then reports each denoising step. Random weights
    /// make noise, not the product: the QC rejects every attempt (each re-planned with a new
    /// seed) and the job ends failed with `qc_failed` naming the checks — the right outcome.
    /// (The API's smallest size is 512 px, far too slow for this model's attention on a CPU in
    /// a test, so the job is submitted through the intake's own path at 64 px.)
    func testHealthGoesFromLoadingToReadyAndAJobRunsOnTheModelWithStepProgress() async throws {
        let gate = Gate()
        defer { gate.open() }
        let server = try TestServer { config in
            config.modelDir = Self.tinyModel
            config.maxAttempts = 2
        }
        server.engines = try EngineSetup.make(server.config, logger: Logger(label: "test"), diffusion: gatedEngine(gate))
        let (app, services) = try server.build()
        try await app.test(.router) { client in
            let (loadingResponse, loading) = try await client.json("/healthz")
            XCTAssertEqual(loading["status"]?.stringValue, "loading", "\(loading)")
            XCTAssertEqual(loadingResponse.status, .serviceUnavailable)
            XCTAssertTrue(loading["reason"]?.stringValue?.contains("i2vgen-xl") ?? false, "\(loading)")

            var request = GenerationRequest(title: "Ceramic mug")
            request.engine = .i2vgenXL
            request.aspect = "1:1"
            request.resolution = 64
            request.frames = 8
            request.steps = 2
            request.seed = 9
            request.outputs = [.mp4]
            let stored = try await services.intake.accept(imageBytes: Fixtures.bytes("mug.jpg"))
            let job = try services.intake.makeJob(request, options: SubmissionOptions(), inputRef: stored.ref, idempotencyKey: nil)
            guard case .created(let created) = try await services.store.enqueue(job) else { return XCTFail("not enqueued") }
            services.doorbell.ring()
            let id = created.id

            // The job is claimed and waits for the model; nothing fails while it loads.
            _ = try await client.waitForStatus(id, "running")
            let (_, stillLoading) = try await client.json("/healthz")
            XCTAssertEqual(stillLoading["status"]?.stringValue, "loading")

            async let stream = client.execute(uri: "/api/v1/jobs/\(id)/events", method: .get)
            try await eventually("the event stream to subscribe") { services.hub.subscriberCount > 0 }
            gate.open()
            let events = FilesAndEventsTests.parseSSE(try await stream.text)

            let (_, ready) = try await client.json("/healthz")
            XCTAssertEqual(ready["status"]?.stringValue, "ready", "\(ready)")
            guard case .array(let engines)? = ready["engines"] else { return XCTFail("no engines in \(ready)") }
            XCTAssertTrue(engines.contains { $0["name"]?.stringValue == "i2vgen-xl" && $0["state"]?.stringValue == "ready" }, "\(engines)")

            // Step k/n of the denoising loop, then decoding, encoding and QC — for each attempt.
            let progress = events.filter { $0.name == "progress" }.map(\.data)
            let generating = progress.filter { $0["stage"]?.stringValue == "generating" }
            // (The first attempt's "step 0/2" was published before the stream subscribed, while
            // the job waited for the model.)
            XCTAssertEqual(generating.compactMap { $0["step"]?.doubleValue }.filter { $0 > 0 }, [1, 2, 1, 2], "\(progress)")
            XCTAssertTrue(generating.allSatisfy { $0["total_steps"]?.doubleValue == 2 }, "\(generating)")
            XCTAssertTrue(progress.contains { $0["stage"]?.stringValue == "decoding" && $0["total_steps"]?.doubleValue == 8 }, "\(progress)")
            for stage in ["encoding", "qc"] { XCTAssertTrue(progress.contains { $0["stage"]?.stringValue == stage }, "\(stage): \(progress)") }
            XCTAssertEqual(events.filter { $0.name == "retrying" }.first?.data["code"]?.stringValue, "qc_failed")
            XCTAssertEqual(events.last?.name, "failed")

            let failed = try await client.waitForStatus(id, "failed")
            XCTAssertEqual(failed["attempt"]?.doubleValue, 2)
            XCTAssertEqual(failed["error"]?["code"]?.stringValue, "qc_failed")
            let message = failed["error"]?["message"]?.stringValue ?? ""
            XCTAssertTrue(message.contains("fidelity.firstFrameSSIM"), message)
        }
    }

    /// The adapter on its own: frames of the plan's size and count, one progress call per
    /// denoising step and per decoded frame, the same frames for the same seed, and a playable
    /// MP4 through the server's delivery path.
    func testTheAdapterMakesThePlansFramesReproduciblyAndTheyEncodeToAPlayableMP4() throws {
        let engine = DiffusionEngine(modelPath: Self.tinyModel, device: .cpu)
        let photo = try ImageDecoder.decode(Fixtures.bytes("mug.jpg")).image
        let planner = try Planner.builtIn(diffusionAvailable: true)
        let plan = try planner.plan(image: photo, title: "Ceramic mug", options: PlanOverrides(engine: .i2vgenXL, width: 80, height: 64, frames: 4, steps: 2, seed: 3))
        let calls = Locked<[String]>([])
        let first = try engine.generate(plan: plan, image: photo, progress: { stage, done, total in
            calls.withLock { $0.append("\(stage.rawValue) \(done)/\(total)") }
        }, isCancelled: { false })
        XCTAssertEqual(calls.current, ["generating 1/2", "generating 2/2", "decoding 1/4", "decoding 2/4", "decoding 3/4", "decoding 4/4"])
        XCTAssertEqual(first.frames.count, 4)
        XCTAssertTrue(first.frames.allSatisfy { $0.width == 80 && $0.height == 64 })
        XCTAssertEqual([first.framedInput.width, first.framedInput.height], [80, 64])
        XCTAssertEqual(engine.status.state, .ready)

        let again = try engine.generate(plan: plan, image: photo, progress: { _, _, _ in }, isCancelled: { false })
        XCTAssertEqual(again.frames, first.frames, "same plan and seed, same frames")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-diffusion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = ProductPipeline(planner: planner, engines: [TemplateEngine(), engine])
        var request = GenerationRequest(title: "Ceramic mug")
        request.outputs = [.mp4, .poster]
        XCTAssertEqual(try pipeline.deliver(first.frames, plan: plan, request: request, into: folder), ["video.mp4", "poster.jpg"])
        let video = try XCTUnwrap(try MediaProbe.probe(folder.appendingPathComponent("video.mp4")).video)
        XCTAssertEqual([video.codec, "\(video.width)x\(video.height)", "\(video.frameCount)"], ["h264", "80x64", "4"])
    }

    func testACancelledJobStopsWhileWaitingForTheModel() throws {
        let gate = Gate()
        defer { gate.open() }
        let engine = gatedEngine(gate)
        let photo = try ImageDecoder.decode(Fixtures.bytes("mug.jpg")).image
        let plan = try Planner.builtIn(diffusionAvailable: true).plan(image: photo, title: "mug", options: PlanOverrides(engine: .i2vgenXL, width: 64, height: 64, frames: 4, steps: 1, seed: 1))
        XCTAssertThrowsError(try engine.generate(plan: plan, image: photo, progress: { _, _, _ in }, isCancelled: { true })) { error in
            XCTAssertEqual(error as? Server.PipelineError, .cancelled)
        }
        XCTAssertEqual(engine.status.state, .loading)
    }

    func testAFolderThatDoesNotLoadFailsTheEngineAndItsJobsWithTheReason() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-empty-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let engine = DiffusionEngine(modelPath: empty.path, device: .cpu)
        let photo = try ImageDecoder.decode(Fixtures.bytes("mug.jpg")).image
        let plan = try Planner.builtIn(diffusionAvailable: true).plan(image: photo, title: "mug", options: PlanOverrides(engine: .i2vgenXL, width: 64, height: 64, frames: 4, steps: 1, seed: 1))
        XCTAssertThrowsError(try engine.generate(plan: plan, image: photo, progress: { _, _, _ in }, isCancelled: { false })) { error in
            guard case .engineUnavailable(let why)? = error as? Server.PipelineError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains(empty.path), why)
        }
        XCTAssertEqual(engine.status.state, .failed)
    }

    /// Two worker slots, one model: the jobs take turns (a model's backend serves one generation
    /// at a time); both finish.
    func testConcurrentJobsOnOneModelTakeTurns() throws {
        let engine = DiffusionEngine(modelPath: Self.tinyModel, device: .cpu)
        let photo = try ImageDecoder.decode(Fixtures.bytes("mug.jpg")).image
        let plan = try Planner.builtIn(diffusionAvailable: true).plan(
            image: photo, title: "mug", options: PlanOverrides(engine: .i2vgenXL, width: 64, height: 64, frames: 4, steps: 2, seed: 1))
        let active = Locked(0), peak = Locked(0), done = Locked(0)
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                let started = Locked(false)
                let frames = try? engine.generate(plan: plan, image: photo, progress: { stage, step, total in
                    if !started.withLock({ let was = $0; $0 = true; return was }) {
                        let now = active.withLock { $0 += 1; return $0 }
                        peak.withLock { $0 = max($0, now) }
                    }
                    if stage == .decoding && step == total { active.withLock { $0 -= 1 } }
                }, isCancelled: { false })
                if frames?.frames.count == 4 { done.withLock { $0 += 1 } }
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 600), .success)
        XCTAssertEqual(done.current, 2)
        XCTAssertEqual(peak.current, 1, "two generations ran on one model at once")
    }
}
