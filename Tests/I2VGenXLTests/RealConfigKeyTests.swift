import Foundation
@testable import I2VGenXL
import ModelIO
import Tensor
import XCTest

/// The real ali-vilab/i2vgen-xl configs (Tests/Fixtures/real-config) build a text encoder, a
/// vision encoder and a VAE whose expected keys and shapes are exactly those of the published
/// checkpoint (i2vgen-xl-keys.tsv) — checked with a shape-only provider, no weights needed —
/// and a missing, extra or mis-shaped tensor is rejected with a message naming it.
final class RealConfigKeyTests: XCTestCase {
    let model = Fixtures.path("real-config", "model")

    /// TSV rows of `component` (TOTAL lines skipped): key → shape.
    func tsv(_ component: String) throws -> [String: [Int]] {
        let text = try String(contentsOfFile: Fixtures.path("real-config", "i2vgen-xl-keys.tsv"), encoding: .utf8)
        var table: [String: [Int]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count >= 3, cols[0] == component, cols[1] != "TOTAL" else { continue }
            table[cols[1]] = cols[2].split(separator: ",").compactMap { Int($0) }
        }
        return table
    }

    func schema(_ component: String) throws -> WeightSchema {
        try XCTUnwrap(WeightSchema.all.first { $0.component == component })
    }

    /// Builds the component from the real config on a strict shape-only provider over `table`.
    func build(_ component: String, _ table: [String: [Int]]) throws -> ShapeOnlyWeights {
        let s = try schema(component)
        let weights = ShapeOnlyWeights(table, source: "i2vgen-xl-keys.tsv", mode: .strict, aliases: s.aliases)
        try s.build(try ModelDirectory(path: model), weights)
        try weights.finish()
        return weights
    }

    func testRealConfigsAcceptEveryCheckpointKeyAndShape() throws {
        let expectedCounts = ["text_encoder": 388, "image_encoder": 520, "vae": 248]
        for component in ["text_encoder", "image_encoder", "vae"] {
            let table = try tsv(component)
            XCTAssertEqual(table.count, expectedCounts[component], "\(component): TSV rows")
            let weights = try build(component, table)
            XCTAssertEqual(weights.requested.count, table.count, "\(component): every stored tensor taken once")
            let params = weights.requested.reduce(0) { $0 + $1.shape.reduce(1, *) }
            print("real-config \(component): \(weights.requested.count) tensors, \(params) parameters accepted")
        }
    }

    func testUnprefixedTextEncoderKeysAreAcceptedToo() throws {
        var table: [String: [Int]] = [:]
        for (k, v) in try tsv("text_encoder") { table[String(k.dropFirst("text_model.".count))] = v }
        XCTAssertNoThrow(try build("text_encoder", table))
    }

    func testMissingTensorIsRejectedByName() throws {
        for (component, key) in [("text_encoder", "text_model.encoder.layers.23.mlp.fc2.bias"),
                                 ("image_encoder", "visual_projection.weight"),
                                 ("vae", "decoder.up_blocks.3.resnets.0.conv_shortcut.weight")] {
            var table = try tsv(component)
            XCTAssertNotNil(table.removeValue(forKey: key), key)
            XCTAssertThrowsError(try build(component, table), component) { error in
                XCTAssertEqual(error as? ModelIOError, .missingWeight(key: key, folder: "i2vgen-xl-keys.tsv"))
                XCTAssertTrue("\(error)".contains(key), "\(error)")
            }
        }
    }

    func testMisshapedTensorIsRejectedNamingKeyAndShapes() throws {
        for (component, key, wrong) in [("text_encoder", "text_model.embeddings.position_embedding.weight", [76, 1024]),
                                        ("image_encoder", "vision_model.embeddings.patch_embedding.weight", [1280, 3, 16, 16]),
                                        ("vae", "encoder.mid_block.attentions.0.to_q.weight", [512, 256])] {
            var table = try tsv(component)
            let right = try XCTUnwrap(table[key])
            table[key] = wrong
            XCTAssertThrowsError(try build(component, table), component) { error in
                XCTAssertEqual(error as? ModelIOError,
                               .weightShapeMismatch(key: key, expected: right, stored: wrong, file: "i2vgen-xl-keys.tsv"))
                XCTAssertTrue("\(error)".contains(key), "\(error)")
            }
        }
    }

    func testExtraTensorIsRejectedByName() throws {
        for (component, key) in [("text_encoder", "text_model.encoder.layers.24.mlp.fc1.weight"),
                                 ("image_encoder", "vision_model.head.weight"),
                                 ("vae", "decoder.up_blocks.3.upsamplers.0.conv.weight")] {
            var table = try tsv(component)
            table[key] = [4, 4]
            XCTAssertThrowsError(try build(component, table), component) { error in
                XCTAssertEqual(error as? ModelIOError, .unconsumedWeights(keys: [key], folder: "i2vgen-xl-keys.tsv"))
                XCTAssertTrue("\(error)".contains(key), "\(error)")
            }
        }
    }

    func testPositionIdsBufferOfOlderCheckpointsIsTolerated() throws {
        var table = try tsv("text_encoder")
        table["text_model.embeddings.position_ids"] = [1, 77]
        XCTAssertNoThrow(try build("text_encoder", table))
    }
}
