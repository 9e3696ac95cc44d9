import Foundation
import Media
import Motion
import XCTest
@testable import Server

/// `i2v generate`'s logic (`LocalGeneration`): the plan fills in what is not given, the template
/// engine writes an MP4 through Media, I2VGen-XL runs when its weights are there and is refused
/// with a clear message, before any work, when they are not.
final class LocalGenerationTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-generate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    static let tinyModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tiny-square/model").path
    var noModel: String { folder.appendingPathComponent("no-model").path }
    var mug: String { Fixtures.folder.appendingPathComponent("mug.jpg").path }

    func testTheTemplateEngineWritesAnMP4WithThePlansFrameCount() throws {
        let out = folder.appendingPathComponent("videos/mug.mp4").path
        let events = Locked<[LocalGenerationEvent]>([])
        let options = LocalGenerationOptions(image: mug, title: "北欧陶瓷马克杯 350ml", engine: .template, modelPath: noModel,
                                             overrides: PlanOverrides(resolution: 128, seed: 11), output: out)
        let outcome = try LocalGeneration.run(options) { e in events.withLock { $0.append(e) } }

        // Nothing but the short side and the seed was given: the rest is the plan's.
        let plan = outcome.plan
        let template = try TemplateLibrary.builtIn().template(id: plan.templateID)
        XCTAssertEqual(plan.engine, .template)
        XCTAssertEqual(plan.frames, template.frames)
        XCTAssertEqual(plan.fps, template.fps)
        XCTAssertEqual(plan.seed, 11)
        XCTAssertEqual(min(plan.width, plan.height), 128)
        XCTAssertTrue(plan.reasons["prompt"]?.contains("template") ?? false, "\(plan.reasons)")
        XCTAssertEqual(plan.reasons["engine"], "template engine requested")

        let video = try XCTUnwrap(try MediaProbe.probe(URL(fileURLWithPath: out)).video)
        XCTAssertEqual(video.codec, "h264")
        XCTAssertEqual(video.frameCount, plan.frames)
        XCTAssertEqual([video.width, video.height], [plan.width, plan.height])
        XCTAssertEqual(video.fps, Double(plan.fps), accuracy: 0.01)
        XCTAssertEqual(outcome.qc?.passed, true, outcome.qc?.failures.joined(separator: "; ") ?? outcome.qcProblem ?? "")

        // The plan is announced before the first frame, then one progress event per frame.
        let seen = events.current
        guard case .planned(let announced)? = seen.first else { return XCTFail("the plan comes first: \(seen)") }
        XCTAssertEqual(announced, plan)
        let steps = seen.compactMap { e -> GenerationProgress? in if case .progress(let p) = e { return p } else { return nil } }
        XCTAssertEqual(steps.map(\.step), Array(1...plan.frames))
        XCTAssertTrue(steps.allSatisfy { $0.stage == .rendering && $0.total == plan.frames })
    }

    func testExplicitOptionsWinOverThePlan() throws {
        let out = folder.appendingPathComponent("frames").path
        let options = LocalGenerationOptions(image: mug, title: "Ceramic mug", engine: .auto, modelPath: noModel,
                                             overrides: PlanOverrides(template: "digital.orbit", prompt: "a mug turning", width: 96, height: 64, frames: 8, fps: 12, seed: 3),
                                             output: out)
        let outcome = try LocalGeneration.run(options)
        XCTAssertEqual(outcome.plan.engine, .template)
        XCTAssertTrue(outcome.plan.reasons["engine"]?.contains("no I2VGen-XL weights") ?? false, "\(outcome.plan.reasons)")
        XCTAssertEqual(outcome.plan.templateID, "digital.orbit")
        XCTAssertEqual(outcome.plan.prompt, "a mug turning")
        XCTAssertEqual([outcome.plan.width, outcome.plan.height, outcome.plan.frames, outcome.plan.fps], [96, 64, 8, 12])
        // A folder output gets raw frames.
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(files, (0..<8).map { String(format: "frame_%04d.ppm", $0) })
        let first = try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent(files[0]))
        XCTAssertEqual(first.count, "P6\n96 64\n255\n".utf8.count + 96 * 64 * 3)
    }

    func testI2VGenXLWithoutWeightsFailsClearlyBeforeAnyWork() throws {
        // The photo does not exist either: the model check must come first.
        let out = folder.appendingPathComponent("never/video.mp4").path
        let events = Locked<[LocalGenerationEvent]>([])
        let options = LocalGenerationOptions(image: folder.appendingPathComponent("absent.jpg").path, title: "Dress", engine: .i2vgenXL,
                                             modelPath: noModel, output: out)
        XCTAssertThrowsError(try LocalGeneration.run(options) { e in events.withLock { $0.append(e) } }) { error in
            XCTAssertEqual(error as? LocalGenerationError, .modelNotInstalled(path: noModel, problem: "model folder \(noModel) not found"))
            let message = "\(error)"
            XCTAssertTrue(message.contains(noModel), message)
            XCTAssertTrue(message.contains("scripts/download_weights.sh"), message)
            XCTAssertTrue(message.contains("--engine template"), message)
        }
        XCTAssertTrue(events.current.isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("never").path))

        // A folder without its components is not an installation either.
        let partial = folder.appendingPathComponent("partial")
        try FileManager.default.createDirectory(at: partial.appendingPathComponent("unet"), withIntermediateDirectories: true)
        try Data(#"{"_class_name": "I2VGenXLPipeline"}"#.utf8).write(to: partial.appendingPathComponent("model_index.json"))
        XCTAssertNotNil(EngineResolution.missingWeights(at: partial.path))
        XCTAssertEqual(try EngineResolution.resolve(.auto, modelPath: partial.path).engine, .template)
    }

    func testBadOptionsAreRefusedNamingTheOption() {
        func refusal(_ overrides: PlanOverrides) -> String {
            let options = LocalGenerationOptions(image: mug, engine: .template, modelPath: noModel, overrides: overrides,
                                                 output: folder.appendingPathComponent("x.mp4").path)
            do { _ = try LocalGeneration.run(options); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal(PlanOverrides(width: 100, height: 64)), "--width is 100; it must be a positive multiple of 8")
        XCTAssertEqual(refusal(PlanOverrides(frames: 1)), "--frames is 1; it must be between 2 and 64")
        XCTAssertEqual(refusal(PlanOverrides(steps: 0)), "--steps is 0; it must be at least 1")
        XCTAssertTrue(refusal(PlanOverrides(template: "no.such")).contains("no.such"))
    }

    func testAutoPicksI2VGenXLWhenWeightsAreInstalledAndRunsIt() throws {
        let resolved = try EngineResolution.resolve(.auto, modelPath: Self.tinyModel)
        XCTAssertEqual(resolved.engine, .i2vgenXL)
        XCTAssertTrue(resolved.reason.contains("installed"), resolved.reason)

        // The tiny random-weight pipeline: 64×64, 4 frames, 2 steps.
        let out = folder.appendingPathComponent("tiny.mp4").path
        let events = Locked<[LocalGenerationEvent]>([])
        let options = LocalGenerationOptions(image: mug, title: "Ceramic mug", engine: .auto, modelPath: Self.tinyModel, device: "cpu", threads: 1,
                                             overrides: PlanOverrides(width: 64, height: 64, frames: 4, steps: 2, seed: 5), output: out)
        let outcome = try LocalGeneration.run(options) { e in events.withLock { $0.append(e) } }
        XCTAssertEqual(outcome.plan.engine, .i2vgenXL)
        XCTAssertEqual(try MediaProbe.probe(URL(fileURLWithPath: out)).video?.frameCount, 4)
        let denoising = events.current.compactMap { e -> Int? in
            if case .progress(let p) = e, p.stage == .denoising { return p.step } else { return nil }
        }
        XCTAssertEqual(denoising, [1, 2])
        // QC runs on the frames too (it reports; the command still writes the video).
        XCTAssertNotNil(outcome.qc, outcome.qcProblem ?? "")
    }
}
