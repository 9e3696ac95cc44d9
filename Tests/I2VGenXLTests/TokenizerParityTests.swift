import Foundation
import XCTest
@testable import I2VGenXL
import ModelIO

/// The tokenizer reproduces the reference ids exactly (PARITY.md: tokenizer bound "exact"), run
/// through the same entry point as `i2v parity tokenizer`. Fixtures: Tests/Fixtures/clip-tokenizer
/// (the real 49,408-token CLIP vocabulary; ids from OpenCLIP's SimpleTokenizer, which equal
/// transformers 5's CLIPTokenizer on `tokenizer.*` and differ from it on `tokenizer-divergent.*`).
final class TokenizerParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/clip-tokenizer").path

    private func checkCase(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = Self.fixtures
        let output = NSTemporaryDirectory() + "tokenizer-parity-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try TokenizerParity.run(modelDir: dir + "/model", inputs: dir + "/\(name).in.safetensors", output: output)

        let prompts = try TokenizerParity.readPrompts(dir + "/\(name).in.safetensors")
        let expected = try SafetensorsFile(path: dir + "/\(name).out.safetensors").require("input_ids")
        let actual = try SafetensorsFile(path: output).require("input_ids")
        XCTAssertEqual(actual.dtype, .int64, file: file, line: line)
        XCTAssertEqual(actual.shape, expected.shape, file: file, line: line)
        XCTAssertEqual(actual.shape, [prompts.count, 77], file: file, line: line)
        let want = try expected.ints(), got = try actual.ints()
        var mismatches = 0
        for (i, prompt) in prompts.enumerated() {
            let w = Array(want[(i * 77)..<((i + 1) * 77)]), g = Array(got[(i * 77)..<((i + 1) * 77)])
            guard w != g else { continue }
            mismatches += 1
            let at = zip(w, g).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
            XCTFail("""
                \(name) prompt \(i) \(prompt.debugDescription): first mismatch at position \(at)
                  expected \(w.prefix(at + 4))
                  got      \(g.prefix(at + 4))
                """, file: file, line: line)
        }
        print("tokenizer parity \(name): \(prompts.count - mismatches)/\(prompts.count) prompts exact")
    }

    func testIdsEqualTheReferenceOnEveryPrompt() throws {
        try checkCase("tokenizer")
    }

    func testIdsEqualOpenCLIPWhereTransformers5CleansTextDifferently() throws {
        try checkCase("tokenizer-divergent")
    }
}
