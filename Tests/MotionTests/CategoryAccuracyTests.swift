import Foundation
import XCTest
@testable import Motion

/// The labelled title set (`Data/titles.tsv`, half Chinese, half English, with hard cases) must
/// be classified with at least 90 % accuracy, in each language too.
final class CategoryAccuracyTests: XCTestCase {
    struct Example { var label: String; var language: String; var title: String }

    func loadExamples() throws -> [Example] {
        let text = try String(contentsOf: MotionFixtures.dataDirectory.appendingPathComponent("titles.tsv"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let f = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            return f.count == 3 ? Example(label: f[0], language: f[1], title: f[2]) : nil
        }
    }

    func testLabelledSetIsLargeBalancedAndUsesKnownCategories() throws {
        let examples = try loadExamples()
        let detector = try CategoryDetector.builtIn()
        XCTAssertGreaterThanOrEqual(examples.count, 300)
        let zh = examples.filter { $0.language == "zh" }.count, en = examples.filter { $0.language == "en" }.count
        XCTAssertEqual(zh + en, examples.count)
        XCTAssertLessThan(abs(zh - en), examples.count / 10, "roughly half Chinese, half English")
        let valid = Set(detector.vocabulary.ids)
        for e in examples { XCTAssertTrue(valid.contains(e.label), "unknown label \(e.label)") }
        XCTAssertGreaterThanOrEqual(Set(examples.map(\.label)).count, 13)
    }

    func testAccuracyOnLabelledTitlesIsAtLeast90Percent() throws {
        let examples = try loadExamples()
        let detector = try CategoryDetector.builtIn()
        var correct = 0
        var byLanguage: [String: (Int, Int)] = [:]
        var confusion: [String] = []
        for e in examples {
            let d = detector.detect(title: e.title, image: nil)
            let ok = d.decision.category == e.label
            if ok { correct += 1 } else {
                confusion.append("  \(e.label) → \(d.decision.category) (\(d.decision.confidence)): \(e.title) | \(d.decision.reasons.prefix(3).joined(separator: "; "))")
            }
            var c = byLanguage[e.language, default: (0, 0)]
            c.0 += ok ? 1 : 0
            c.1 += 1
            byLanguage[e.language] = c
        }
        let accuracy = Double(correct) / Double(examples.count)
        print(String(format: "category accuracy: %.3f (%d/%d)", accuracy, correct, examples.count))
        for (lang, c) in byLanguage.sorted(by: { $0.key < $1.key }) {
            print(String(format: "  %@: %.3f (%d/%d)", lang, Double(c.0) / Double(c.1), c.0, c.1))
        }
        if !confusion.isEmpty { print("misclassified:\n" + confusion.joined(separator: "\n")) }
        XCTAssertGreaterThanOrEqual(accuracy, 0.90)
        for (lang, c) in byLanguage {
            XCTAssertGreaterThanOrEqual(Double(c.0) / Double(c.1), 0.85, "accuracy in \(lang)")
        }
    }
}
