import Foundation
import XCTest
@testable import Motion

/// Category detection from titles: segmentation, context, negation rules and fallbacks.
final class TitleClassifierTests: XCTestCase {
    var detector: CategoryDetector!

    override func setUpWithError() throws {
        detector = try CategoryDetector.builtIn()
    }

    func category(_ title: String) -> String { detector.detect(title: title, image: nil).decision.category }

    func testTheSeedTableExamplesMapToTheirCategories() {
        XCTAssertEqual(category("连衣裙"), "apparel")
        XCTAssertEqual(category("dress"), "apparel")
        XCTAssertEqual(category("手机"), "digital")
        XCTAssertEqual(category("smartphone"), "digital")
        XCTAssertEqual(category("咖啡机"), "home_appliances")
        XCTAssertEqual(category("coffee machine"), "home_appliances")
        XCTAssertEqual(category("面霜"), "beauty")
        XCTAssertEqual(category("face cream"), "beauty")
    }

    func testAPhoneCaseIsAnAccessoryNotAPhone() {
        XCTAssertEqual(category("手机壳"), "electronics_accessories")
        XCTAssertEqual(category("iPhone 15 Pro 手机壳 透明防摔"), "electronics_accessories")
        XCTAssertEqual(category("phone case"), "electronics_accessories")
        XCTAssertEqual(category("Clear Case for iPhone 15 Pro Max"), "electronics_accessories")
        let d = detector.detect(title: "Clear Case for iPhone 15 Pro Max", image: nil)
        XCTAssertTrue(d.decision.reasons.contains { $0.contains("iphone") && $0.contains("context") }, "\(d.decision.reasons)")
    }

    func testChildrensClothingIsApparelNotToys() {
        XCTAssertEqual(category("儿童连衣裙"), "apparel")
        XCTAssertEqual(category("Toddler Girls Princess Dress"), "apparel")
        XCTAssertEqual(category("儿童玩具车"), "toys")
    }

    func testToyCarAndCarChargerAreDifferentProducts() {
        XCTAssertEqual(category("toy car"), "toys")
        XCTAssertEqual(category("car charger"), "electronics_accessories")
        XCTAssertEqual(category("RC Toy Car for Kids"), "toys")
        XCTAssertEqual(category("USB C Car Charger for iPhone"), "electronics_accessories")
    }

    func testBrandOnlyTitlesUseTheBrandsMainCategory() {
        XCTAssertEqual(category("Apple"), "digital")
        XCTAssertEqual(category("戴森"), "home_appliances")
        XCTAssertEqual(category("Rolex"), "jewelry_watches")
        XCTAssertEqual(category("乐高"), "toys")
    }

    func testChineseIsSegmentedByLongestDictionaryMatch() {
        let c = detector.title
        let hits = c.analyse("华为手机送手机壳").hits.filter { !$0.isBrand }
        XCTAssertEqual(hits.map(\.surface), ["手机", "手机壳"])
        // 送 (free gift) puts the case in context: the phone is the product.
        XCTAssertEqual(hits.map(\.inContext), [false, true])
        XCTAssertEqual(category("华为手机送手机壳"), "digital")
        // 面包机 is one word (bread maker), not 面包 (bread) + 机.
        XCTAssertEqual(category("面包机"), "home_appliances")
        XCTAssertEqual(category("全麦面包"), "food_drink")
    }

    func testEnglishPluralsAndHyphensAreNormalised() {
        XCTAssertEqual(category("Summer Dresses"), "apparel")
        XCTAssertEqual(category("T-Shirt"), "apparel")
        XCTAssertEqual(category("ＤＲＥＳＳ"), "apparel", "full-width letters are folded")
    }

    func testEmptyAndAbsurdTitlesFallBackToGeneralWithAReason() {
        for title in ["", "   ", "!!!", "asdfghjkl", "12345"] {
            let d = detector.detect(title: title, image: nil)
            XCTAssertEqual(d.decision.category, "general", title)
            XCTAssertTrue(d.decision.reasons.first?.contains("general") ?? false, "\(title): \(d.decision.reasons)")
        }
        XCTAssertTrue(detector.detect(title: "", image: nil).decision.reasons.contains("title is empty"))
    }

    func testDecisionCarriesConfidenceCandidatesAndReasons() {
        let d = detector.detect(title: "女士夏季碎花连衣裙", image: nil).decision
        XCTAssertEqual(d.category, "apparel")
        XCTAssertGreaterThan(d.confidence, 0.5)
        XCTAssertLessThanOrEqual(d.confidence, 1)
        XCTAssertEqual(d.candidates.first?.category, "apparel")
        XCTAssertTrue(d.reasons.contains { $0.contains("连衣裙") })
    }

    func testTheVocabularyIsDataNotCode() throws {
        let json = """
        {"version": 1, "fallback": "other", "fallbackNoun": "thing", "threshold": 1, "contextFactor": 0.5,
         "headBonus": 1, "imageWeight": 1, "neutral": [], "markers": [], "contextEnders": [], "rules": [],
         "categories": [{"id": "garden", "label": "Garden", "labelZh": "园艺", "noun": "plant",
                         "terms": {"花盆": [3, "flower pot"], "shovel": 3}, "brands": {}}]}
        """
        let vocab = try CategoryVocabulary(json: Data(json.utf8), source: "test")
        let d = CategoryDetector(vocabulary: vocab, palette: try .builtIn())
        XCTAssertEqual(d.detect(title: "陶瓷花盆", image: nil).decision.category, "garden")
        XCTAssertEqual(d.detect(title: "陶瓷花盆", image: nil).noun, "flower pot")
        XCTAssertEqual(d.detect(title: "dress", image: nil).decision.category, "other")
    }

    func testABadVocabularyFileIsAClearError() {
        let json = """
        {"version": 1, "fallback": "other", "fallbackNoun": "thing", "threshold": 1, "contextFactor": 0.5,
         "headBonus": 1, "imageWeight": 1, "neutral": [], "markers": [], "contextEnders": [],
         "rules": [{"ifCategory": "nope", "scale": {}, "note": "broken"}],
         "categories": []}
        """
        XCTAssertThrowsError(try CategoryVocabulary(json: Data(json.utf8), source: "vocab.json")) { e in
            XCTAssertEqual("\(e)", "vocab.json: rule 'broken' names unknown category 'nope'")
        }
        XCTAssertThrowsError(try CategoryVocabulary(json: Data("{}".utf8), source: "v.json")) { e in
            XCTAssertTrue("\(e)".hasPrefix("v.json: missing field"), "\(e)")
        }
    }
}
