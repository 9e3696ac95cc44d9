import Foundation
import ModelIO
import Tensor
import XCTest
@testable import I2VGenXL

/// Structure of the I2VGen-XL UNet: which checkpoint tensors it binds, how its config decodes,
/// and the shapes it produces. Numerical agreement with diffusers is in UNetParityTests.
final class UNetArchitectureTests: XCTestCase {
    let be = CPUBackend(threads: 2)

    /// A small config that still has two cross-attention down blocks, a plain block and several heads.
    static let small = I2VGenXLUNetConfig(
        downBlockTypes: ["CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "DownBlock3D"],
        upBlockTypes: ["UpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D"],
        blockOutChannels: [8, 16, 16], layersPerBlock: 1, normNumGroups: 4, crossAttentionDim: 12, attentionHeadDim: 4)

    static let realConfig = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/real-config").path

    /// The real `ali-vilab/i2vgen-xl` UNet config binds exactly the tensors of the checkpoint
    /// (Tests/Fixtures/real-config/i2vgen-xl-keys.tsv, checked against diffusers' model), each once
    /// and with its shape.
    func testRealConfigBindsExactlyTheCheckpointKeysAndShapes() throws {
        let config = try ConfigFile.decode(I2VGenXLUNetConfig.self, from: Self.realConfig + "/model/unet/config.json")
        XCTAssertEqual(config, .real)
        let weights = SyntheticWeights(backend: be, shapesOnly: true)
        _ = try I2VGenXLUNet(config: config, weights: WeightScope(weights))

        let tsv = try String(contentsOfFile: Self.realConfig + "/i2vgen-xl-keys.tsv", encoding: .utf8)
        var expected: [String: [Int]] = [:]
        for line in tsv.split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 4, f[0] == "unet", f[1] != "TOTAL" else { continue }
            expected[f[1]] = f[2].split(separator: ",").compactMap { Int($0) }
        }
        XCTAssertEqual(expected.count, 1511)
        let taken = Dictionary(uniqueKeysWithValues: weights.taken.map { ($0.key, $0.shape) })
        XCTAssertEqual(weights.taken.count, taken.count, "no key is taken twice")
        XCTAssertEqual(Set(taken.keys).subtracting(expected.keys).sorted(), [], "keys the model takes that the checkpoint lacks")
        XCTAssertEqual(Set(expected.keys).subtracting(taken.keys).sorted(), [], "checkpoint keys the model never takes")
        for (key, shape) in expected where taken[key] != nil { XCTAssertEqual(taken[key], shape, key) }
        XCTAssertEqual(weights.parameterCount, 1_420_469_224)
    }

    func testConfigDecodesDiffusersJSONAndFillsDefaults() throws {
        let json = """
        {"_class_name": "I2VGenXLUNet", "_diffusers_version": "0.25.0", "attention_head_dim": 64,
         "block_out_channels": [320, 640, 1280, 1280], "cross_attention_dim": 1024,
         "down_block_types": ["CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "DownBlock3D"],
         "in_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "num_attention_heads": 64,
         "out_channels": 4, "sample_size": 32,
         "up_block_types": ["UpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D"]}
        """
        let decoded = try JSONDecoder().decode(I2VGenXLUNetConfig.self, from: Data(json.utf8))
        XCTAssertEqual(decoded, .real)
        let sparse = try JSONDecoder().decode(I2VGenXLUNetConfig.self, from: Data(#"{"block_out_channels": [320, 640, 1280, 1280]}"#.utf8))
        XCTAssertEqual(sparse.attentionHeadDim, 64, "missing attention_head_dim takes diffusers' default")
        XCTAssertEqual(sparse.crossAttentionDim, 1024)
    }

    func testInvalidConfigsAreRejectedNamingTheField() {
        var c = I2VGenXLUNetConfig.real
        c.upBlockTypes = ["UpBlock3D"]
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("up_block_types"), "\($0)") }
        c = .real
        c.downBlockTypes[0] = "CrossAttnDownBlock2D"
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("CrossAttnDownBlock2D"), "\($0)") }
        c = .real
        c.normNumGroups = 24
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("norm_num_groups"), "\($0)") }
        let list = #"{"attention_head_dim": [32, 64, 64, 64]}"#
        XCTAssertThrowsError(try ConfigFile.decode(I2VGenXLUNetConfig.self, from: Array(list.utf8), file: "unet/config.json")) {
            XCTAssertTrue("\($0)".contains("attention_head_dim"), "\($0)")
        }
    }

    /// The benchmark's synthetic weights give a stacked projection the values the separate
    /// tensors would have had (same draws, same order), so packed q/k/v change no benchmark input.
    func testSyntheticStackedWeightsEqualSeparateTakes() throws {
        for dtype in [DType.float32, .float16] {
            let keys = ["attn1.to_q.weight", "attn1.to_k.weight", "attn1.to_v.weight"]
            let stacked = try SyntheticWeights(backend: be, dtype: dtype, seed: 5).takeStacked(keys, shape: [4, 3])
            let one = SyntheticWeights(backend: be, dtype: dtype, seed: 5)
            let separate = try keys.flatMap { be.toHost(try one.take($0, shape: [4, 3])) }
            XCTAssertEqual(stacked.shape, [12, 3])
            XCTAssertEqual(be.toHost(stacked), separate, "\(dtype)")
        }
    }

    func testMissingWeightFailsNamingTheKey() throws {
        final class Without: WeightProvider {
            let inner: SyntheticWeights
            init(_ inner: SyntheticWeights) { self.inner = inner }
            func take(_ key: String, shape: [Int]) throws -> Tensor {
                if key == "down_blocks.1.temp_convs.0.conv3.3.weight" { throw UNetError.invalidInput(name: key, reason: "missing") }
                return try inner.take(key, shape: shape)
            }
            func contains(_ key: String) -> Bool { key != "down_blocks.1.temp_convs.0.conv3.3.weight" }
            func takeStacked(_ keys: [String], shape: [Int]) throws -> Tensor { try inner.takeStacked(keys, shape: shape) }
        }
        XCTAssertThrowsError(try I2VGenXLUNet(config: Self.small, weights: WeightScope(Without(SyntheticWeights(backend: be, shapesOnly: true))))) {
            XCTAssertTrue("\($0)".contains("down_blocks.1.temp_convs.0.conv3.3.weight"), "\($0)")
        }
    }

    func inputs(batch b: Int, frames f: Int, h: Int, w: Int, config c: I2VGenXLUNetConfig, seed: UInt64) -> (sample: Tensor, text: Tensor, latents: Tensor, emb: Tensor) {
        var g = TorchCPUGenerator(seed: seed)
        let sample = be.tensor(g.randn(shape: [b, 4, f, h, w]), shape: [b, 4, f, h, w])
        let text = be.tensor(g.randn(shape: [b, 5, c.crossAttentionDim]), shape: [b, 5, c.crossAttentionDim])
        let latents = be.tensor(g.randn(shape: [b, 4, f, h, w]), shape: [b, 4, f, h, w])
        let emb = be.tensor(g.randn(shape: [b, 1, c.crossAttentionDim]), shape: [b, 1, c.crossAttentionDim])
        return (sample, text, latents, emb)
    }

    func testOutputHasTheSampleShapeAlsoForLatentsNotDivisibleByTheUpsamplingFactor() throws {
        let unet = try I2VGenXLUNet(config: Self.small, weights: WeightScope(SyntheticWeights(backend: be, dtype: .float32)))
        for (h, w) in [(8, 8), (6, 10)] {
            let x = inputs(batch: 2, frames: 3, h: h, w: w, config: Self.small, seed: 1)
            let out = try unet(be, sample: x.sample, timesteps: [981, 981], fps: [16, 16], encoderHiddenStates: x.text,
                               imageLatents: x.latents, imageEmbeddings: x.emb)
            XCTAssertEqual(out.shape, [2, 4, 3, h, w])
            XCTAssertTrue(be.toHost(out).allSatisfy { $0.isFinite })
        }
    }

    func testFeedForwardChunkingDoesNotChangeTheResult() throws {
        let weights = SyntheticWeights(backend: be, dtype: .float32, seed: 5)
        let unet = try I2VGenXLUNet(config: Self.small, weights: WeightScope(weights))
        let x = inputs(batch: 2, frames: 3, h: 8, w: 8, config: Self.small, seed: 2)
        func run(_ bytes: Int) throws -> [Float] {
            unet.options = UNetOptions(feedForwardChunkBytes: bytes)
            return be.toHost(try unet(be, sample: x.sample, timesteps: [500, 500], fps: [8, 8], encoderHiddenStates: x.text,
                                      imageLatents: x.latents, imageEmbeddings: x.emb))
        }
        let whole = try run(1 << 30)
        let chunked = try run(37 * 4 * 64)  // a few tokens per slice, not dividing the token count
        let scale = whole.map { abs($0) }.max() ?? 1
        let diff = zip(whole, chunked).map { abs($0 - $1) }.max() ?? 0
        // GEMM blocking differs with the row count, so float32 rounding differs slightly; a wrong
        // slice would be off by O(1).
        XCTAssertLessThanOrEqual(diff / scale, 1e-5)
    }

    func testMismatchedInputsAreRejectedBeforeCompute() throws {
        let unet = try I2VGenXLUNet(config: Self.small, weights: WeightScope(SyntheticWeights(backend: be, shapesOnly: true)))
        let x = inputs(batch: 2, frames: 3, h: 8, w: 8, config: Self.small, seed: 3)
        XCTAssertThrowsError(try unet(be, sample: x.sample, timesteps: [1], fps: [16, 16], encoderHiddenStates: x.text,
                                      imageLatents: x.latents, imageEmbeddings: x.emb)) { XCTAssertTrue("\($0)".contains("timestep")) }
        let wrongText = be.zeros([2, 5, 7])
        XCTAssertThrowsError(try unet(be, sample: x.sample, timesteps: [1, 1], fps: [16, 16], encoderHiddenStates: wrongText,
                                      imageLatents: x.latents, imageEmbeddings: x.emb)) { XCTAssertTrue("\($0)".contains("encoder_hidden_states")) }
        let wrongSample = be.zeros([2, 4, 2, 8, 8])
        XCTAssertThrowsError(try unet(be, sample: wrongSample, timesteps: [1, 1], fps: [16, 16], encoderHiddenStates: x.text,
                                      imageLatents: x.latents, imageEmbeddings: x.emb)) { XCTAssertTrue("\($0)".contains("sample")) }
    }
}

/// The FLOP counts the benchmark projects with agree with the reference's analytic counts
/// (reference/i2vgen-xl.md §8.2–8.3).
final class UNetCostTests: XCTestCase {
    func testOneCFGStepAt512x512x16CostsAbout42TFLOP() throws {
        let flops = try UNetBenchmark.unetStepFLOPs(shape: .init(height: 512, width: 512, frames: 16))
        // §8.2: ≈ 41.9 TFLOP, of which cross-attention K/V is 0.24 TFLOP when projected per frame;
        // projecting it once per batch element saves 15/16 of that.
        XCTAssertEqual(flops / 1e12, 41.9 - 0.24 * 15 / 16, accuracy: 0.5)
    }

    func testTheStandardJobIsAbout2PFLOPOfUNetPlus40TFLOPOfDecode() throws {
        let p = try UNetBenchmark.projection(shape: .init(height: 512, width: 512, frames: 16), steps: 50)
        XCTAssertEqual(p.vaeDecodeFLOPs / 1e12, 2.52 * 16, accuracy: 1.0)   // §8.3: 2.52 TFLOP per 512² frame
        XCTAssertEqual(p.vaeEncodeFLOPs / 1e12, 1.12, accuracy: 0.1)        // §8.3: 1.12 TFLOP at 512²
        XCTAssertEqual(p.imageEncoderFLOPs / 1e12, 0.33, accuracy: 0.05)   // §8.3: ≈0.33 TFLOP
        XCTAssertEqual(p.textEncoderFLOPs / 1e9, 2 * 47 * 23 / 24, accuracy: 10)  // 23 of 24 layers run, 2 prompts
        XCTAssertEqual(p.totalFLOPs / 1e15, 2.13, accuracy: 0.05)
    }
}
