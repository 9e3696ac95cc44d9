import Foundation
import XCTest
@testable import ModelIO

/// ModelIO on the committed diffusers folders (Tests/Fixtures/tiny-*): what `save_pretrained`
/// really writes. Expected counts computed with the `safetensors` Python package.
final class FixtureFolderTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    func testInspectsTheFP32Pipeline() throws {
        let report = try ModelInspector.inspect(Self.fixtures + "/tiny-square/model")
        XCTAssertEqual(report.pipelineClass, "I2VGenXLPipeline")
        let byName = Dictionary(uniqueKeysWithValues: report.components.map { ($0.name, $0) })
        XCTAssertEqual(Set(byName.keys), Set(ModelDirectory.i2vgenXLComponents))
        XCTAssertEqual(byName["unet"]?.className, "I2VGenXLUNet")
        XCTAssertEqual(byName["unet"]?.weightFiles, ["diffusion_pytorch_model.safetensors"])
        XCTAssertEqual(byName["unet"]?.parametersByDType, [.float32: 203_376])
        XCTAssertEqual(byName["vae"]?.className, "AutoencoderKL")
        XCTAssertEqual(byName["vae"]?.parameterCount, 43_711)
        XCTAssertEqual(byName["text_encoder"]?.className, "CLIPTextModel")
        XCTAssertEqual(byName["text_encoder"]?.parameterCount, 27_328)
        XCTAssertEqual(byName["image_encoder"]?.className, "CLIPVisionModelWithProjection")
        XCTAssertEqual(byName["image_encoder"]?.byteCount, 49_152)
        XCTAssertEqual(byName["scheduler"]?.className, "DDIMScheduler")
        XCTAssertEqual(byName["tokenizer"]?.className, "CLIPTokenizer")
        XCTAssertEqual(byName["feature_extractor"]?.weightFiles, [])
        XCTAssertEqual(report.totalParameters, 203_376 + 43_711 + 27_328 + 12_288)
        XCTAssertEqual(report.totalBytes, 813_504 + 174_844 + 109_312 + 49_152)
    }

    func testTheFP16PipelineLoadsItsFP16Files() throws {
        let report = try ModelInspector.inspect(Self.fixtures + "/tiny-nonsquare-fp16/model")
        let unet = try XCTUnwrap(report.components.first { $0.name == "unet" })
        XCTAssertEqual(unet.weightFiles, ["diffusion_pytorch_model.fp16.safetensors"])
        XCTAssertEqual(unet.parametersByDType, [.float16: 281_712])
        XCTAssertEqual(report.totalParameters, 7_536 + 35_976 + 281_712 + 55_519)
    }

    func testStrictWeightsOpenEveryComponentOfBothPipelines() throws {
        for pipeline in ["tiny-square", "tiny-nonsquare-fp16"] {
            let models = try ModelDirectory(path: Self.fixtures + "/\(pipeline)/model")
            try models.requireComponents()
            for (component, alias) in [("unet", nil), ("vae", nil), ("text_encoder", WeightKeyAlias.clipTextModel),
                                       ("image_encoder", WeightKeyAlias.clipVisionModel)] {
                let weights = try StrictWeights(folder: models.component(component), backend: testBackend,
                                                aliases: alias.map { [$0] } ?? [])
                XCTAssertFalse(weights.storedKeys.isEmpty, "\(pipeline)/\(component)")
                // Nothing taken yet: finish names every stored tensor.
                XCTAssertThrowsError(try weights.finish())
            }
        }
    }

    func testTheTextEncoderKeysCarryTheTextModelPrefix() throws {
        let weights = try StrictWeights(folder: Self.fixtures + "/tiny-square/model/text_encoder", backend: testBackend,
                                        aliases: [.clipTextModel])
        XCTAssertTrue(weights.contains("text_model.final_layer_norm.weight"))
        XCTAssertEqual(weights.storedKey(for: "text_model.final_layer_norm.weight"), "text_model.final_layer_norm.weight")
    }
}
