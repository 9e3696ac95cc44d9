import Foundation
import ModelIO
import Tensor
import XCTest
@testable import I2VGenXL

/// What a caller of `I2VGenXLPipeline.generate` can rely on besides the numbers: validation
/// before compute, progress events, cancellation, seeded noise, output conversion.
final class PipelineBehaviourTests: XCTestCase {
    let be = CPUBackend()
    static var cached: I2VGenXLPipeline?

    func pipeline() throws -> I2VGenXLPipeline {
        if let p = Self.cached { return p }
        let p = try I2VGenXLPipeline.load(from: UNetFixtures.root + "/tiny-square/model", backend: be)
        Self.cached = p
        return p
    }

    func request(steps: Int = 3, frames: Int = 4, chunk: Int = 2) throws -> I2VGenXLRequest {
        var pixels = [UInt8](repeating: 0, count: 40 * 40 * 3)
        for i in 0..<pixels.count { pixels[i] = UInt8((i * 37) % 251) }
        return I2VGenXLRequest(image: try RGB8Image(width: 40, height: 40, pixels: pixels), prompt: "a red sneaker",
                               width: 32, height: 32, numFrames: frames, numInferenceSteps: steps, guidanceScale: 4.5,
                               targetFPS: 16, decodeChunkSize: chunk)
    }

    func testInvalidRequestsFailBeforeAnyComputeNamingTheField() throws {
        let p = try pipeline()
        var events = 0
        for (field, edit) in [("width", { (r: inout I2VGenXLRequest) in r.width = 30 }),
                              ("height", { $0.height = 0 }),
                              ("num_frames", { $0.numFrames = 0 }),
                              ("num_inference_steps", { $0.numInferenceSteps = 0 }),
                              ("decode_chunk_size", { $0.decodeChunkSize = 0 })] as [(String, (inout I2VGenXLRequest) -> Void)] {
            var r = try request()
            edit(&r)
            XCTAssertThrowsError(try p.generate(r, noise: .seed(1)) { _ in events += 1 }) { error in
                guard case PipelineError.invalidRequest(let f, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(f, field)
            }
        }
        XCTAssertEqual(events, 0)
        let r = try request()
        XCTAssertThrowsError(try p.generate(r, noise: .injected(latents: [0], imageLatentsNoise: []))) { error in
            XCTAssertTrue("\(error)".contains("latents"), "\(error)")
        }
    }

    func testProgressReportsEveryStepThenEveryDecodeChunk() throws {
        var events: [PipelineProgress] = []
        let out = try pipeline().generate(try request(steps: 3, frames: 4, chunk: 3), noise: .seed(7)) { events.append($0) }
        XCTAssertEqual(events.map(\.stage), [.denoising, .denoising, .denoising, .decoding, .decoding])
        XCTAssertEqual(events.map(\.step), [1, 2, 3, 1, 2])
        XCTAssertEqual(events.map(\.total), [3, 3, 3, 2, 2])
        XCTAssertEqual(zip(events, events.dropFirst()).filter { $0.elapsed > $1.elapsed }.count, 0, "elapsed never decreases")
        XCTAssertTrue(events.allSatisfy { $0.eta >= 0 })
        XCTAssertEqual(events[2].eta, 0, "no denoising left after the last step")
        XCTAssertEqual(events.last?.eta, 0)
        XCTAssertEqual(out.frames.count, 4 * 32 * 32 * 3)
        XCTAssertTrue(out.frames.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testCancellationStopsBetweenStepsAndBetweenDecodeChunks() throws {
        let p = try pipeline()
        let token = CancellationToken()
        var steps = 0
        XCTAssertThrowsError(try p.generate(try request(steps: 3), noise: .seed(1), cancellation: token) { e in
            steps += 1
            if e.step == 1 { token.cancel() }
        }) { XCTAssertEqual($0 as? PipelineError, .cancelled(stage: "denoising step 2/3")) }
        XCTAssertEqual(steps, 1, "no step runs after cancellation")

        let late = CancellationToken()
        var decoded = 0
        XCTAssertThrowsError(try p.generate(try request(steps: 1, frames: 4, chunk: 1), noise: .seed(1), cancellation: late) { e in
            if e.stage == .decoding { decoded += 1; late.cancel() }
        }) { XCTAssertEqual($0 as? PipelineError, .cancelled(stage: "decoding frame 2/4")) }
        XCTAssertEqual(decoded, 1)
    }

    func testASeedIsTheDocumentedDrawOrderAndReproducible() throws {
        let p = try pipeline()
        let r = try request(steps: 2)
        let a = try p.generate(r, noise: .seed(42))
        let b = try p.generate(r, noise: .seed(42))
        XCTAssertEqual(a.frames, b.frames)
        // The seed draws ε [1,4,h,w] first, then the latents [1,4,F,h,w], from one torch generator.
        let shape = p.latentShape(r)
        var g = TorchCPUGenerator(seed: 42)
        let eps = g.randn(shape: [1, shape[1], shape[3], shape[4]])
        let lat = g.randn(shape: shape)
        let c = try p.generate(r, noise: .injected(latents: lat, imageLatentsNoise: eps))
        XCTAssertEqual(a.frames, c.frames)
        let d = try p.generate(r, noise: .seed(43))
        XCTAssertNotEqual(a.frames, d.frames)
    }

    /// On a GPU the VAE runs on its own (bfloat16) backend; the latents cross through the host.
    /// With a second float32 backend the crossing must not change a single value.
    func testTheVAEOnItsOwnBackendGivesTheSameVideo() throws {
        let r = try request(steps: 2, frames: 4, chunk: 3)
        let same = try pipeline().generate(r, noise: .seed(9))
        let split = try I2VGenXLPipeline.load(from: UNetFixtures.root + "/tiny-square/model", backend: be, vaeBackend: CPUBackend())
        XCTAssertFalse(split.vaeBackend === split.backend)
        let moved = try split.generate(r, noise: .seed(9))
        XCTAssertEqual(moved.frames, same.frames)
        XCTAssertEqual(moved.latents, same.latents)
    }

    func testDecodeChunkSizeDoesNotChangeTheFrames() throws {
        let p = try pipeline()
        let one = try p.generate(try request(steps: 1, chunk: 1), noise: .seed(3))
        let all = try p.generate(try request(steps: 1, chunk: 4), noise: .seed(3))
        XCTAssertLessThanOrEqual(UNetFixtures.absoluteError(one.frames, all.frames), 1e-6)
    }

    func testWithoutGuidanceTheBatchIsConditionalOnly() throws {
        var r = try request(steps: 1)
        r.guidanceScale = 1
        XCTAssertFalse(r.usesGuidance)
        let out = try pipeline().generate(r, noise: .seed(5))
        XCTAssertEqual(out.latentShape, [1, 4, 4, 16, 16])
        XCTAssertTrue(out.latents.allSatisfy { $0.isFinite })
    }

    func testImageLatentsCarryTheFramePositionMask() {
        let z = be.full([1, 4, 2, 3], value: 2)
        let x = be.toHost(PipelineMath.imageLatents(be, z: z, scalingFactor: 0.18125, frames: 4))  // [1, 4, 4, 2, 3]
        func at(c: Int, f: Int) -> Float { x[(c * 4 + f) * 6] }
        XCTAssertEqual(at(c: 0, f: 0), 2 * Float(0.18125))
        XCTAssertEqual(at(c: 3, f: 1), Float(1.0 / 3.0))
        XCTAssertEqual(at(c: 2, f: 2), Float(2.0 / 3.0))
        XCTAssertEqual(at(c: 1, f: 3), 1)
    }

    func testEightBitFramesRoundHalfToEvenLikeNumPy() {
        let out = I2VGenXLOutput(width: 1, height: 1, numFrames: 2, frames: [0, 0.5, 1, 0.2, 0.999, 0.001],
                                 latents: [], latentShape: [])
        XCTAssertEqual(out.frame8Bit(0), [0, 128, 255])  // 127.5 → 128 (even)
        XCTAssertEqual(out.frame8Bit(1), [51, 255, 0])
    }

    func testTheVGenNegativePromptIsOfferedAndTheDefaultIsEmpty() throws {
        let r = try request()
        XCTAssertEqual(r.negativePrompt, "")
        XCTAssertTrue(I2VGenXLRequest.vgenNegativePrompt.hasPrefix("Distorted, discontinuous, Ugly, blurry"))
    }

    func testPeakResidentMemoryIsReadFromProc() throws {
        let peak = try XCTUnwrap(MemoryStats.peakResidentBytes())
        let now = try XCTUnwrap(MemoryStats.residentBytes())
        XCTAssertGreaterThan(now, 1 << 20)
        XCTAssertGreaterThanOrEqual(peak, now)
    }
}
