import Foundation
import XCTest
@testable import I2VGenXL

/// The seeded noise generator reproduces torch's CPU `randn` (fixture written by
/// scripts/torch_randn_fixture.py with torch's own generator).
final class PipelineNoiseTests: XCTestCase {
    struct Case { let seed: UInt64; let shapes: [[Int]]; let values: [[Double]] }

    func loadCases() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/torch-randn/randn.json").standardizedFileURL
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let cases = try XCTUnwrap(json?["cases"] as? [[String: Any]])
        return try cases.map { c in
            let seed = try XCTUnwrap(c["seed"] as? NSNumber).uint64Value
            let shapes = try XCTUnwrap(c["shapes"] as? [[Int]])
            let values = try XCTUnwrap(c["values"] as? [[Double]])
            return Case(seed: seed, shapes: shapes, values: values)
        }
    }

    func testSeededNormalsMatchTorchRandnWithinLastBits() throws {
        let cases = try loadCases()
        XCTAssertGreaterThanOrEqual(cases.count, 5)
        var worst = 0.0
        for c in cases {
            var g = TorchCPUGenerator(seed: c.seed)
            for (shape, expected) in zip(c.shapes, c.values) {
                let got = g.randn(shape: shape)
                XCTAssertEqual(got.count, expected.count, "seed \(c.seed) shape \(shape)")
                for (a, b) in zip(got, expected) {
                    worst = max(worst, abs(Double(a) - b))
                }
            }
        }
        print("torch randn: max |swift - torch| = \(worst)")
        // torch's AVX2 log/sin/cos polynomials differ from libm by a few float32 ulps.
        XCTAssertLessThan(worst, 2e-6)
    }

    func testMersenneTwisterMatchesTheStandardSequence() {
        // std::mt19937 default seed 5489: the 10000th output is 4123659995 (C++ standard).
        var mt = MersenneTwister19937(seed: 5489)
        var v: UInt32 = 0
        for _ in 0..<10000 { v = mt.next() }
        XCTAssertEqual(v, 4_123_659_995)
    }

    func testSameSeedGivesSameNoiseAndDifferentSeedsDiffer() {
        var a = TorchCPUGenerator(seed: 7), b = TorchCPUGenerator(seed: 7), c = TorchCPUGenerator(seed: 8)
        let x = a.randn(count: 100), y = b.randn(count: 100), z = c.randn(count: 100)
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x, z)
    }
}
