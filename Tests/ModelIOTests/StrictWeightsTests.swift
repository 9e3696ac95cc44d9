import XCTest
@testable import ModelIO
import Tensor

/// Strict binding: every tensor taken once with the right shape, nothing left over.
final class StrictWeightsTests: TempDirTestCase {
    /// A provider over `folder` inside the temp dir. `takeView` needs no backend; these tests
    /// exercise the binding rules, not tensor creation.
    private func weights(_ folder: String, aliases: [WeightKeyAlias] = []) throws -> StrictWeights {
        try StrictWeights(folder: dir + "/" + folder, backend: testBackend, aliases: aliases)
    }

    func testTakesEveryTensorOnceWithItsShape() throws {
        try writeWeights(["conv.weight": [4, 3, 3, 3], "conv.bias": [4]], to: "vae/diffusion_pytorch_model.safetensors")
        let w = try weights("vae")
        XCTAssertTrue(w.contains("conv.bias"))
        XCTAssertFalse(w.contains("conv.missing"))
        XCTAssertEqual(try w.takeView("conv.weight", shape: [4, 3, 3, 3]).shape, [4, 3, 3, 3])
        XCTAssertEqual(w.unconsumedKeys, ["conv.bias"])
        XCTAssertEqual(try w.takeView("conv.bias", shape: [4]).dtype, .float32)
        XCTAssertNoThrow(try w.finish())
    }

    func testAShapeMismatchNamesKeyBothShapesAndFile() throws {
        let file = try writeWeights(["proj.weight": [8, 4]], to: "unet/diffusion_pytorch_model.safetensors")
        let error = expectModelIOError { _ = try self.weights("unet").takeView("proj.weight", shape: [4, 8]) }
        XCTAssertEqual(error, .weightShapeMismatch(key: "proj.weight", expected: [4, 8], stored: [8, 4], file: file))
        XCTAssertEqual(error?.description, "\(file): weight 'proj.weight' has shape [8, 4], expected [4, 8]")
    }

    func testAMissingKeyNamesKeyAndFolder() throws {
        try writeWeights(["a": [1]], to: "unet/diffusion_pytorch_model.safetensors")
        let error = expectModelIOError { _ = try self.weights("unet").takeView("b", shape: [1]) }
        XCTAssertEqual(error, .missingWeight(key: "b", folder: dir + "/unet"))
        XCTAssertEqual(error?.description, "\(dir)/unet: missing weight 'b'")
    }

    func testAKeyTakenTwiceIsAnError() throws {
        let file = try writeWeights(["a": [1]], to: "unet/diffusion_pytorch_model.safetensors")
        let w = try weights("unet")
        _ = try w.takeView("a", shape: [1])
        XCTAssertEqual(expectModelIOError { _ = try w.takeView("a", shape: [1]) }, .weightTakenTwice(key: "a", file: file))
    }

    func testStackedTensorsAreConcatenatedAlongTheFirstAxisAndConsumed() throws {
        var writer = SafetensorsWriter()
        try writer.add("attn.to_q.weight", float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        try writer.add("attn.to_k.weight", float32: [7, 8, 9, 10, 11, 12], shape: [2, 3])
        try writer.add("attn.to_v.weight", float32: [13, 14, 15, 16, 17, 18], shape: [2, 3])
        try write(writer.serialized(), to: "unet/diffusion_pytorch_model.safetensors")
        let w = try weights("unet")
        let stacked = try WeightScope(w, prefix: "attn").takeStacked(["to_q", "to_k", "to_v"], "weight", [2, 3])
        XCTAssertEqual(stacked.shape, [6, 3])
        XCTAssertEqual(testBackend.toHost(stacked), (1...18).map(Float.init))
        XCTAssertNoThrow(try w.finish())
        XCTAssertEqual(expectModelIOError { _ = try w.takeView("attn.to_k.weight", shape: [2, 3]) },
                       .weightTakenTwice(key: "attn.to_k.weight", file: dir + "/unet/diffusion_pytorch_model.safetensors"))
    }

    func testStackingChecksEveryShapeAndWidensMixedDtypes() throws {
        var writer = SafetensorsWriter()
        try writer.add("a", float32: [1, 2], shape: [1, 2])
        try writer.add("b", dtype: .float16, shape: [1, 2], bytes: [Float16(3), Float16(-4)].flatMap { v in
            withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
        try writer.add("c", float32: [5, 6, 7], shape: [1, 3])
        try write(writer.serialized(), to: "unet/diffusion_pytorch_model.safetensors")
        let w = try weights("unet")
        XCTAssertEqual(testBackend.toHost(try w.takeStacked(["a", "b"], shape: [1, 2])), [1, 2, 3, -4])
        let file = dir + "/unet/diffusion_pytorch_model.safetensors"
        XCTAssertEqual(expectModelIOError { _ = try w.takeStacked(["c"], shape: [1, 2]) },
                       .weightShapeMismatch(key: "c", expected: [1, 2], stored: [1, 3], file: file))
    }

    func testFinishListsUnconsumedKeysButIgnoresPositionIDs() throws {
        var writer = SafetensorsWriter()
        try writer.add("text_model.embeddings.position_ids", int64: Array(0..<77), shape: [1, 77])
        try writer.add("text_model.final_layer_norm.weight", float32: [1, 1], shape: [2])
        try writer.add("text_model.final_layer_norm.bias", float32: [0, 0], shape: [2])
        try write(writer.serialized(), to: "text_encoder/model.safetensors")
        let w = try weights("text_encoder")
        _ = try w.takeView("text_model.final_layer_norm.weight", shape: [2])
        let error = expectModelIOError { try w.finish() }
        XCTAssertEqual(error, .unconsumedWeights(keys: ["text_model.final_layer_norm.bias"], folder: dir + "/text_encoder"))
        XCTAssertTrue(error?.description.contains("'text_model.final_layer_norm.bias'") ?? false)
        _ = try w.takeView("text_model.final_layer_norm.bias", shape: [2])
        XCTAssertNoThrow(try w.finish())
    }

    func testIntegerTensorsAreNotWeights() throws {
        var writer = SafetensorsWriter()
        try writer.add("ids", int64: [1], shape: [1])
        let file = try write(writer.serialized(), to: "c/model.safetensors")
        XCTAssertEqual(expectModelIOError { _ = try self.weights("c").takeView("ids", shape: [1]) },
                       .wrongDType(file: file, key: "ids", stored: "I64", wanted: "F32, F16 or BF16"))
    }

    func testTheFP16VariantIsPreferred() throws {
        try writeWeights(["w": [2]], to: "unet/diffusion_pytorch_model.safetensors")
        let fp16 = try writeWeights(["w": [2]], dtype: .float16, to: "unet/diffusion_pytorch_model.fp16.safetensors")
        let w = try weights("unet")
        XCTAssertEqual(w.fileSet.files, [fp16])
        XCTAssertEqual(try w.takeView("w", shape: [2]).dtype, .float16)
    }

    func testBF16WeightsBind() throws {
        try writeWeights(["w": [2]], dtype: .bfloat16, to: "vae/diffusion_pytorch_model.safetensors")
        XCTAssertEqual(try weights("vae").takeView("w", shape: [2]).dtype, .bfloat16)
    }

    func testShardedWeightsFollowTheIndex() throws {
        let one = try writeWeights(["a.weight": [2], "a.bias": [2]], to: "unet/diffusion_pytorch_model-00001-of-00002.safetensors")
        let two = try writeWeights(["b.weight": [3]], to: "unet/diffusion_pytorch_model-00002-of-00002.safetensors")
        try write("""
            {"metadata": {"total_size": 28}, "weight_map": {
              "a.weight": "diffusion_pytorch_model-00001-of-00002.safetensors",
              "a.bias": "diffusion_pytorch_model-00001-of-00002.safetensors",
              "b.weight": "diffusion_pytorch_model-00002-of-00002.safetensors"}}
            """, to: "unet/diffusion_pytorch_model.safetensors.index.json")
        let w = try weights("unet")
        XCTAssertEqual(w.fileSet.files, [one, two])
        XCTAssertEqual(w.storedKeys, ["a.bias", "a.weight", "b.weight"])
        XCTAssertEqual(try w.takeView("b.weight", shape: [3]).file.path, two)
        XCTAssertEqual(w.unconsumedKeys, ["a.bias", "a.weight"])
    }

    func testAnIndexThatDisagreesWithItsShardsIsRejected() throws {
        try writeWeights(["a": [2], "stray": [1]], to: "unet/s1.safetensors")
        try write(#"{"weight_map": {"a": "s1.safetensors"}}"#, to: "unet/diffusion_pytorch_model.safetensors.index.json")
        guard case .inconsistentWeights(_, let detail)? = expectModelIOError({ _ = try self.weights("unet") }) else {
            return XCTFail("expected inconsistentWeights")
        }
        XCTAssertTrue(detail.contains("'stray'"), detail)

        try write(#"{"weight_map": {"a": "s1.safetensors", "stray": "s1.safetensors", "ghost": "s1.safetensors"}}"#,
                  to: "unet/diffusion_pytorch_model.safetensors.index.json")
        guard case .inconsistentWeights(_, let detail2)? = expectModelIOError({ _ = try self.weights("unet") }) else {
            return XCTFail("expected inconsistentWeights")
        }
        XCTAssertTrue(detail2.contains("'ghost'"), detail2)

        try write(#"{"weight_map": {"a": "../elsewhere.safetensors"}}"#, to: "unet/diffusion_pytorch_model.safetensors.index.json")
        guard case .invalidJSON(_, let key, _)? = expectModelIOError({ _ = try self.weights("unet") }) else {
            return XCTFail("expected invalidJSON")
        }
        XCTAssertEqual(key, "weight_map.a")
    }

    func testAMissingShardIsNamed() throws {
        try write(#"{"weight_map": {"a": "gone.safetensors"}}"#, to: "unet/diffusion_pytorch_model.safetensors.index.json")
        XCTAssertEqual(expectModelIOError { _ = try self.weights("unet") },
                       .missingFile(path: dir + "/unet/gone.safetensors", expected: "a safetensors file"))
    }

    func testAFolderWithoutWeightsSaysWhatItExpected() throws {
        try write("{}", to: "unet/config.json")
        guard case .missingFile(let path, let expected)? = expectModelIOError({ _ = try self.weights("unet") }) else {
            return XCTFail("expected missingFile")
        }
        XCTAssertEqual(path, dir + "/unet/*.safetensors")
        XCTAssertTrue(expected.contains("diffusion_pytorch_model.safetensors"), expected)
        try write("pickle", to: "unet/diffusion_pytorch_model.bin")
        guard case .missingFile(_, let expectedBin)? = expectModelIOError({ _ = try self.weights("unet") }) else {
            return XCTFail("expected missingFile")
        }
        XCTAssertTrue(expectedBin.contains(".bin"), expectedBin)
    }

    func testEitherSpellingOfThePrefixBindsUnderTheAlias() throws {
        // transformers 5 may save the text encoder without the `text_model.` prefix.
        try writeWeights(["encoder.layers.0.mlp.fc1.weight": [4, 2], "embeddings.position_ids": [1, 4]],
                         to: "text_encoder/model.safetensors")
        let w = try weights("text_encoder", aliases: [.clipTextModel])
        XCTAssertTrue(w.contains("text_model.encoder.layers.0.mlp.fc1.weight"))
        XCTAssertEqual(w.storedKey(for: "text_model.encoder.layers.0.mlp.fc1.weight"), "encoder.layers.0.mlp.fc1.weight")
        _ = try w.takeView("text_model.encoder.layers.0.mlp.fc1.weight", shape: [4, 2])
        // Still strict: the same stored tensor cannot bind again under the other spelling.
        XCTAssertNotNil(expectModelIOError { _ = try w.takeView("encoder.layers.0.mlp.fc1.weight", shape: [4, 2]) })
        XCTAssertNoThrow(try w.finish())
    }

    func testThePrefixedSpellingBindsToo() throws {
        try writeWeights(["vision_model.post_layernorm.weight": [2], "visual_projection.weight": [2, 2]],
                         to: "image_encoder/model.safetensors")
        let w = try weights("image_encoder", aliases: [.clipVisionModel])
        _ = try w.takeView("vision_model.post_layernorm.weight", shape: [2])
        _ = try w.takeView("visual_projection.weight", shape: [2, 2])
        XCTAssertNoThrow(try w.finish())
    }

    func testBothSpellingsStoredIsAmbiguous() throws {
        try writeWeights(["text_model.final_layer_norm.weight": [2], "final_layer_norm.weight": [2]],
                         to: "text_encoder/model.safetensors")
        guard case .inconsistentWeights(_, let detail)? = expectModelIOError({
            _ = try self.weights("text_encoder", aliases: [.clipTextModel])
        }) else { return XCTFail("expected inconsistentWeights") }
        XCTAssertTrue(detail.contains("two spellings"), detail)
        // Without the alias rule the two keys are simply different tensors.
        XCTAssertNoThrow(try weights("text_encoder"))
    }
}
