import Foundation
import ModelIO
import Tensor
import XCTest
@testable import I2VGenXL

/// Shared by the UNet and pipeline parity tests: fixture paths and PARITY.md's error measure.
enum UNetFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// max|swift − reference| / max(max|reference|, 1e-6), in float64 (PARITY.md).
    static func relativeError(_ got: [Float], _ want: [Float]) -> Double {
        precondition(got.count == want.count)
        var diff = 0.0, scale = 0.0
        for (g, w) in zip(got, want) {
            diff = max(diff, abs(Double(g) - Double(w)))
            scale = max(scale, abs(Double(w)))
        }
        return diff / max(scale, 1e-6)
    }

    static func absoluteError(_ got: [Float], _ want: [Float]) -> Double {
        precondition(got.count == want.count)
        return zip(got, want).reduce(0.0) { max($0, abs(Double($1.0) - Double($1.1))) }
    }

    /// Runs `component` through the same entry point as `i2v parity` and returns its outputs as a file.
    static func run(_ component: String, fixture: String, backend: any Backend) throws -> SafetensorsFile {
        let dir = root + "/" + fixture
        let output = NSTemporaryDirectory() + "\(component)-parity-\(UUID().uuidString).safetensors"
        try Parity.run(component: component, model: dir + "/model", inputs: dir + "/\(component).in.safetensors",
                       output: output, backend: backend)
        defer { try? FileManager.default.removeItem(atPath: output) }
        return try SafetensorsFile(path: output)
    }
}

/// `i2v parity unet` matches diffusers' I2VGenXLUNet within PARITY.md's 1e-4 relative bound on
/// both tiny fixtures (fp32 square 8×8 latents, 4 frames; fp16 non-square 16×24 latents, 3 frames).
final class UNetParityTests: XCTestCase {
    let be = CPUBackend()

    func check(_ fixture: String, backend: (any Backend)? = nil) throws {
        let out = try UNetFixtures.run("unet", fixture: fixture, backend: backend ?? be)
        XCTAssertEqual(out.names, ["sample"], "the unet component writes exactly its contract outputs")
        let got = try out.require("sample"), want = try SafetensorsFile(path: UNetFixtures.root + "/\(fixture)/unet.out.safetensors").require("sample")
        XCTAssertEqual(got.shape, want.shape)
        let err = UNetFixtures.relativeError(try got.floats(), try want.floats())
        print("unet parity \(fixture): relative error \(err)")
        XCTAssertLessThanOrEqual(err, 1e-4)
    }

    func testTinySquareFP32MatchesDiffusers() throws { try check("tiny-square") }

    func testTinyNonSquareFP16MatchesDiffusers() throws { try check("tiny-nonsquare-fp16") }

    /// The ResNet blocks' channels-last path (GroupNorm+SiLU to rows, convolutions on rows, rows
    /// back to maps with bias, time embedding and residual — the GPU's path for large maps; here
    /// the composed defaults) computes the same UNet, and is the path taken.
    func testChannelsLastResnetBlocksMatchDiffusers() throws {
        let cpu = CPUBackend()
        cpu.channelsLastConvolutions = true
        let profiled = ProfilingBackend(cpu)
        try check("tiny-square", backend: profiled)
        try check("tiny-nonsquare-fp16", backend: cpu)
        let ops = Set(profiled.byOp.map(\.op))
        XCTAssertTrue(ops.isSuperset(of: ["conv2dTokens", "groupNormSiLUTokens", "tokensToFeatureMaps channels-last"]), "\(ops)")
    }

    /// Every intermediate of the forward-hook dump agrees too (the bisection aid for mismatches).
    func testIntermediatesMatchTheForwardHookDump() throws {
        let dir = UNetFixtures.root + "/tiny-square"
        let debug = try SafetensorsFile(path: dir + "/unet_debug.safetensors")
        let ins = try ParityInputs(path: dir + "/unet.in.safetensors")
        let unet = try I2VGenXLUNet.load(from: ModelDirectory(path: dir + "/model"), backend: be)
        func t(_ n: String) throws -> Tensor { try ins.floatTensor(n, pattern: try ins.tensor(n, expected: n).shape, expected: n, on: be) }
        var seen: [String] = []
        _ = try unet(be, sample: t("sample"), timesteps: try ins.intValues("timestep", pattern: [nil], expected: "").values.map(Double.init),
                     fps: try ins.intValues("fps", pattern: [nil], expected: "").values, encoderHiddenStates: t("encoder_hidden_states"),
                     imageLatents: t("image_latents"), imageEmbeddings: t("image_embeddings")) { name, x in
            guard let ref = debug.tensor(name) else { return }
            seen.append(name)
            XCTAssertEqual(x.shape, ref.shape, name)
            let err = UNetFixtures.relativeError(self.be.toHost(x), (try? ref.floats()) ?? [])
            print(String(format: "  %@: %.2e", name, err))
            XCTAssertLessThanOrEqual(err, 1e-4, name)
        }
        XCTAssertEqual(Set(seen), ["context", "conv_in", "transformer_in", "down_blocks.0", "down_blocks.1", "down_blocks.2",
                                   "mid_block", "up_blocks.0", "up_blocks.1", "up_blocks.2", "conv_out"])
    }

    func testMisShapedInputIsAOneLineErrorNamingTheTensor() throws {
        let dir = UNetFixtures.root + "/tiny-square"
        // The pipeline's inputs file has no `sample`.
        XCTAssertThrowsError(try Parity.compute(component: "unet", model: dir + "/model",
                                                inputs: dir + "/pipeline.in.safetensors", backend: be)) { error in
            XCTAssertTrue("\(error)".contains("'sample'"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }
}
