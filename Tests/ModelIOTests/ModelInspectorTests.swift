import XCTest
@testable import ModelIO

/// `i2v models inspect`: class, weight files, dtypes, parameters and bytes per component.
final class ModelInspectorTests: TempDirTestCase {
    private func makePipeline() throws {
        try write("""
            {"_class_name": "I2VGenXLPipeline", "_diffusers_version": "0.33.1",
             "unet": ["diffusers", "I2VGenXLUNet"], "text_encoder": ["transformers", "CLIPTextModel"],
             "tokenizer": ["transformers", "CLIPTokenizer"], "scheduler": ["diffusers", "DDIMScheduler"]}
            """, to: "p/model_index.json")
        try write(#"{"_class_name": "I2VGenXLUNet", "in_channels": 4}"#, to: "p/unet/config.json")
        try writeWeights(["conv_in.weight": [8, 4, 3, 3], "conv_in.bias": [8]], to: "p/unet/diffusion_pytorch_model.safetensors")
        try writeWeights(["conv_in.weight": [8, 4, 3, 3], "conv_in.bias": [8]], dtype: .float16,
                         to: "p/unet/diffusion_pytorch_model.fp16.safetensors")
        try write(#"{"architectures": ["CLIPTextModel"], "hidden_size": 4}"#, to: "p/text_encoder/config.json")
        var writer = SafetensorsWriter()
        try writer.add("text_model.embeddings.position_ids", int64: [0, 1, 2], shape: [1, 3])
        try writer.add("text_model.final_layer_norm.weight", float32: [1, 1, 1, 1], shape: [4])
        try write(writer.serialized(), to: "p/text_encoder/model.safetensors")
        try write(#"{"tokenizer_class": "CLIPTokenizer"}"#, to: "p/tokenizer/tokenizer_config.json")
        try write(#"{"_class_name": "DDIMScheduler"}"#, to: "p/scheduler/scheduler_config.json")
    }

    func testReportsEachComponent() throws {
        try makePipeline()
        let report = try ModelInspector.inspect(dir + "/p")
        XCTAssertEqual(report.pipelineClass, "I2VGenXLPipeline")
        XCTAssertEqual(report.components.map(\.name), ["unet", "text_encoder", "tokenizer", "scheduler"])

        let unet = report.components[0]
        XCTAssertEqual(unet.className, "I2VGenXLUNet")
        XCTAssertEqual(unet.weightFiles, ["diffusion_pytorch_model.fp16.safetensors"])
        XCTAssertEqual(unet.unusedFiles, ["diffusion_pytorch_model.safetensors"])
        XCTAssertEqual(unet.parametersByDType, [.float16: 296])
        XCTAssertEqual(unet.parameterCount, 296)
        XCTAssertEqual(unet.byteCount, 592)

        let text = report.components[1]
        XCTAssertEqual(text.className, "CLIPTextModel")
        XCTAssertEqual(text.parameterCount, 4, "position_ids is a buffer, not a parameter")
        XCTAssertEqual(text.byteCount, 16 + 24)

        XCTAssertEqual(report.components[2].className, "CLIPTokenizer")
        XCTAssertEqual(report.components[2].weightFiles, [])
        XCTAssertEqual(report.components[3].className, "DDIMScheduler")
        XCTAssertEqual(report.totalParameters, 300)

        let table = report.formatted()
        XCTAssertTrue(table.contains("(I2VGenXLPipeline, diffusers 0.33.1)"), table)
        XCTAssertTrue(table.contains("unet"), table)
        XCTAssertTrue(table.contains("F16"), table)
        XCTAssertTrue(table.contains("unet: present but not used: diffusion_pytorch_model.safetensors"), table)
        let totalLine = try XCTUnwrap(table.split(separator: "\n").first { $0.hasPrefix("total") })
        XCTAssertTrue(totalLine.hasSuffix("300  632 B"), String(totalLine))
    }

    func testNumbersAreReadable() {
        XCTAssertEqual(ModelInspector.Report.count(1_427_143_840), "1,427,143,840 (1.43 B)")
        XCTAssertEqual(ModelInspector.Report.count(999), "999")
        XCTAssertEqual(ModelInspector.Report.bytes(2_854_287_680), "2.66 GiB")
        XCTAssertEqual(ModelInspector.Report.bytes(1536), "1.50 KiB")
    }

    func testAModelWithoutWeightsOrWithACorruptFileIsAnError() throws {
        try makePipeline()
        try FileManager.default.removeItem(atPath: dir + "/p/text_encoder/model.safetensors")
        guard case .missingFile(let path, _)? = expectModelIOError({ _ = try ModelInspector.inspect(self.dir + "/p") }) else {
            return XCTFail("expected missingFile")
        }
        XCTAssertEqual(path, dir + "/p/text_encoder/*.safetensors")
        try write([1, 2, 3], to: "p/text_encoder/model.safetensors")
        guard case .invalidSafetensors(let file, _, _)? = expectModelIOError({ _ = try ModelInspector.inspect(self.dir + "/p") }) else {
            return XCTFail("expected invalidSafetensors")
        }
        XCTAssertEqual(file, dir + "/p/text_encoder/model.safetensors")
    }

    func testAListedComponentThatIsMissingIsNamed() throws {
        try makePipeline()
        try FileManager.default.removeItem(atPath: dir + "/p/scheduler")
        let error = expectModelIOError { _ = try ModelInspector.inspect(self.dir + "/p") }
        XCTAssertEqual(error, .missingComponent(directory: dir + "/p", component: "scheduler", hint: "expected a diffusers pipeline folder"))
    }
}
