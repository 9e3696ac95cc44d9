import Foundation
import I2VGenXL
import ModelIO
import Tensor
import XCTest

/// Loading is strict end to end: a model folder whose weight file lacks a tensor, stores one
/// with the wrong shape, or stores one the model does not use makes `i2v parity` fail with one
/// message naming the key — and write no output file — and `i2v models verify` list it.
final class WeightRejectionTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-weights-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Fixtures.path("tiny-square", "model")), to: scratch)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Rewrites `<component>/<file>` after `edit` changes its (name → (shape, values)) table.
    func tamper(_ component: String, file: String, _ edit: (inout [String: ([Int], [Float])]) -> Void) throws {
        let path = scratch.appendingPathComponent(component).appendingPathComponent(file).path
        let original = try SafetensorsFile(path: path)
        var table: [String: ([Int], [Float])] = [:]
        for t in original.tensors { table[t.name] = (t.shape, try t.floats()) }
        edit(&table)
        var writer = SafetensorsWriter()
        for name in table.keys.sorted() {
            let (shape, values) = table[name]!
            try writer.add(name, float32: values, shape: shape)
        }
        try writer.write(to: path)
    }

    func expectParityFailure(_ component: String, input: String, mentioning key: String, line: UInt = #line) {
        let out = scratch.appendingPathComponent("out.safetensors").path
        XCTAssertThrowsError(
            try Parity.run(component: component, model: scratch.path, inputs: Fixtures.path("tiny-square", input),
                           output: out, backend: CPUBackend()), line: line
        ) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(key), "message does not name \(key): \(message)", line: line)
            XCTAssertFalse(message.contains("\n"), "not one line: \(message)", line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "partial output written", line: line)
    }

    func testMissingWeightFailsNamingTheKey() throws {
        let key = "decoder.mid_block.attentions.0.to_v.bias"
        try tamper("vae", file: "diffusion_pytorch_model.safetensors") { $0.removeValue(forKey: key) }
        expectParityFailure("vae-decode", input: "vae-decode.in.safetensors", mentioning: key)
    }

    func testMisshapedWeightFailsNamingTheKeyAndShapes() throws {
        let key = "text_model.encoder.layers.0.mlp.fc1.weight"
        try tamper("text_encoder", file: "model.safetensors") { t in
            let (shape, values) = t[key]!
            t[key] = ([shape[1], shape[0]], values)
        }
        expectParityFailure("text-encoder", input: "text-encoder.in.safetensors", mentioning: key)
    }

    func testUnusedWeightFailsNamingTheKey() throws {
        let key = "vision_model.encoder.layers.9.mlp.fc1.weight"
        try tamper("image_encoder", file: "model.safetensors") { $0[key] = ([2, 2], [1, 2, 3, 4]) }
        expectParityFailure("image-encoder", input: "image-encoder.in.safetensors", mentioning: key)
    }

    func testMissingInputTensorIsOneLineNamingIt() throws {
        let out = scratch.appendingPathComponent("out.safetensors").path
        XCTAssertThrowsError(try Parity.run(component: "vae-encode", model: scratch.path,
                                            inputs: Fixtures.path("tiny-square", "vae-decode.in.safetensors"),
                                            output: out, backend: CPUBackend())) { error in
            XCTAssertTrue("\(error)".contains("missing input 'sample'"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testUnknownComponentListsTheKnownOnes() {
        XCTAssertThrowsError(try ParityRegistry.component("unet-typo")) { error in
            XCTAssertTrue("\(error)".contains("text-encoder"), "\(error)")
        }
    }

    func testVerifyPassesTheFixturePipelines() throws {
        for pipeline in ComponentParityTests.pipelines {
            let reports = try ModelVerifier.verify(Fixtures.path(pipeline, "model"))
            XCTAssertEqual(Set(reports.map(\.component)), ["unet", "text_encoder", "image_encoder", "vae"], pipeline)
            for r in reports { XCTAssertTrue(r.ok, "\(pipeline) \(r.file): \(r.missing) \(r.misshaped) \(r.extra) \(r.badDType)") }
        }
    }

    func testVerifyListsEveryProblemOfAWeightFile() throws {
        try tamper("vae", file: "diffusion_pytorch_model.safetensors") { t in
            t.removeValue(forKey: "quant_conv.bias")
            t.removeValue(forKey: "decoder.conv_out.weight")
            let (shape, values) = t["encoder.conv_in.weight"]!
            t["encoder.conv_in.weight"] = ([shape.reduce(1, *)], values)
            t["decoder.extra_head.weight"] = ([3], [0, 0, 0])
        }
        let reports = try ModelVerifier.verify(scratch.path)
        let vae = try XCTUnwrap(reports.first { $0.component == "vae" })
        XCTAssertFalse(vae.ok)
        XCTAssertEqual(vae.missing.count, 2)
        XCTAssertTrue(vae.missing.contains { $0.hasPrefix("quant_conv.bias") }, "\(vae.missing)")
        XCTAssertTrue(vae.missing.contains { $0.hasPrefix("decoder.conv_out.weight") }, "\(vae.missing)")
        XCTAssertEqual(vae.misshaped.count, 1)
        XCTAssertTrue(vae.misshaped[0].hasPrefix("encoder.conv_in.weight"), "\(vae.misshaped)")
        XCTAssertEqual(vae.extra.count, 1)
        XCTAssertTrue(vae.extra[0].hasPrefix("decoder.extra_head.weight"), "\(vae.extra)")
        XCTAssertTrue(reports.filter { $0.component != "vae" }.allSatisfy(\.ok))
    }

    func testVerifyChecksTheUNetFile() throws {
        let key = "down_blocks.0.attentions.0.proj_in.weight"
        try tamper("unet", file: "diffusion_pytorch_model.safetensors") { t in
            XCTAssertNotNil(t.removeValue(forKey: key), "the fixture's UNet stores \(key)")
        }
        let reports = try ModelVerifier.verify(scratch.path)
        let unet = try XCTUnwrap(reports.first { $0.component == "unet" })
        XCTAssertFalse(unet.ok)
        XCTAssertEqual(unet.missing.count, 1)
        XCTAssertTrue(unet.missing[0].hasPrefix(key), "\(unet.missing)")
        XCTAssertTrue(reports.filter { $0.component != "unet" }.allSatisfy(\.ok))
    }
}
