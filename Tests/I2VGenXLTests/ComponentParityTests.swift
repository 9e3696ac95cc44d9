import I2VGenXL
import ModelIO
import Tensor
import XCTest

/// Every tiny random-weight pipeline fixture (fp32 square, fp16 non-square), every component
/// this module implements: `i2v parity`'s library entry run on the committed inputs, compared
/// with diffusers' outputs under PARITY.md's metric and bounds.
final class ComponentParityTests: XCTestCase {
    static let pipelines = ["tiny-square", "tiny-nonsquare-fp16"]

    /// PARITY.md bound of the encoders and the VAE.
    static let encoderBound = 1e-4

    /// The input files of `component` in `pipeline`: `<component>.in.safetensors` and variants
    /// `<component>-<variant>.in.safetensors`.
    func inputs(_ component: String, in pipeline: String) -> [(label: String, input: String, reference: String)] {
        let dir = Fixtures.path(pipeline)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        return files.compactMap { name -> (String, String, String)? in
            guard name.hasSuffix(".in.safetensors") else { return nil }
            let stem = String(name.dropLast(".in.safetensors".count))
            guard stem == component || stem.hasPrefix(component + "-") else { return nil }
            return ("\(pipeline)/\(stem)", dir + "/" + name, dir + "/" + stem + ".out.safetensors")
        }
    }

    func check(_ component: String, outputs: [String], bound: Double) throws {
        var ran = 0
        for pipeline in Self.pipelines {
            for (label, input, reference) in inputs(component, in: pipeline) {
                let out = try runParity(component, model: Fixtures.path(pipeline, "model"), inputs: input)
                try assertParity(out, reference: reference, names: outputs, bound: bound, label: label)
                ran += 1
            }
        }
        XCTAssertGreaterThanOrEqual(ran, Self.pipelines.count, "\(component): fixtures missing")
    }

    func testTextEncoderMatchesTransformers() throws {
        try check("text-encoder", outputs: ["prompt_embeds"], bound: Self.encoderBound)
    }

    func testImageEncoderMatchesTransformers() throws {
        try check("image-encoder", outputs: ["image_embeds"], bound: Self.encoderBound)
    }

    func testVAEEncodeMatchesDiffusers() throws {
        try check("vae-encode", outputs: ["mean", "logvar"], bound: Self.encoderBound)
    }

    func testVAEDecodeMatchesDiffusers() throws {
        try check("vae-decode", outputs: ["sample"], bound: Self.encoderBound)
    }

    func testSchedulerMatchesDiffusers() throws {
        try check("scheduler", outputs: ["timesteps", "prev_samples"], bound: 1e-5)
    }

    func testTokenizerIsExact() throws {
        for pipeline in Self.pipelines {
            for (label, input, reference) in inputs("tokenizer", in: pipeline) {
                let out = try runParity("tokenizer", model: Fixtures.path(pipeline, "model"), inputs: input)
                let got = try out.require("input_ids"), want = try SafetensorsFile(path: reference).require("input_ids")
                XCTAssertEqual(got.dtype, .int64, label)
                XCTAssertEqual(got.shape, want.shape, label)
                XCTAssertEqual(try got.ints(), try want.ints(), "\(label): input_ids")
            }
        }
    }

    /// PARITY.md: at most one 8-bit level per element (×255·std for CLIP pixels, ×127.5 for VAE
    /// pixels), plus 1e-3.
    func testPreprocessMatchesPipelineWithinOneLevel() throws {
        var ran = 0
        for pipeline in Self.pipelines {
            let model = try ModelDirectory(path: Fixtures.path(pipeline, "model"))
            let std = try CLIPImageProcessorConfig.load(from: model).imageStd
            for (label, input, reference) in inputs("preprocess", in: pipeline) {
                let out = try runParity("preprocess", model: model.path, inputs: input)
                let ref = try SafetensorsFile(path: reference)
                XCTAssertEqual(Set(out.names), ["clip_pixel_values", "vae_pixel_values"], label)
                for (name, scale) in [("clip_pixel_values", std.map { 255 * $0 }), ("vae_pixel_values", [127.5, 127.5, 127.5])] {
                    let got = try out.require(name), want = try ref.require(name)
                    XCTAssertEqual(got.shape, want.shape, "\(label): \(name)")
                    guard got.shape == want.shape else { continue }
                    let a = try got.floats(), b = try want.floats()
                    let plane = want.shape[2] * want.shape[3]
                    var worst = 0.0
                    for i in 0..<a.count {
                        worst = max(worst, abs(Double(a[i]) - Double(b[i])) * scale[(i / plane) % 3])
                    }
                    print("parity \(label) \(name): max difference \(String(format: "%.3e", worst)) levels (bound 1.001)")
                    XCTAssertLessThanOrEqual(worst, 1 + 1e-3, "\(label): \(name)")
                }
                ran += 1
            }
        }
        XCTAssertGreaterThanOrEqual(ran, Self.pipelines.count)
    }
}
