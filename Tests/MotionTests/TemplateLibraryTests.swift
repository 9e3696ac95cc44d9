import Foundation
import XCTest
@testable import Motion

/// The motion template library: built-in coverage, the seed's prompts, user overrides.
final class TemplateLibraryTests: XCTestCase {
    func testEveryCategoryHasATemplate() throws {
        let library = try TemplateLibrary.builtIn()
        let vocab = try CategoryVocabulary.builtIn()
        for id in vocab.ids {
            XCTAssertFalse(library.templates(for: id).isEmpty, "no template for \(id)")
        }
        XCTAssertGreaterThanOrEqual(vocab.categories.count, 12)
    }

    func testTheSeedsFourMotionsAreInTheLibrary() throws {
        let library = try TemplateLibrary.builtIn()
        XCTAssertTrue(try library.template(id: "apparel.sway").prompt.contains("fabric gently swaying in the breeze"))
        XCTAssertTrue(try library.template(id: "digital.orbit").prompt.contains("product rotating slowly, showing all sides"))
        XCTAssertTrue(try library.template(id: "home_appliances.steam").prompt.contains("steaming, water flowing"))
        XCTAssertTrue(try library.template(id: "beauty.apply").prompt.contains("hand applying cream smoothly on skin"))
        XCTAssertEqual(try library.template(id: "apparel.sway").motion.effects.first?.kind, .sway)
        XCTAssertEqual(try library.template(id: "digital.orbit").motion.effects.first?.kind, .orbit)
    }

    func testAUserFileOverridesFieldsAndAddsTemplates() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("user-templates-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("""
        {"version": 1, "templates": [
          {"id": "apparel.sway", "prompt": "{colour_noun} waving in a strong wind", "frames": 24},
          {"id": "apparel.catwalk", "base": "apparel.sway", "summary": "catwalk", "motion":
             {"effects": [{"kind": "pan", "amount": 0.05}], "easing": "linear", "loop": false}}
        ]}
        """.utf8).write(to: url)
        let library = try TemplateLibrary.builtIn().applying(userFile: url)
        let sway = try library.template(id: "apparel.sway")
        XCTAssertEqual(sway.prompt, "{colour_noun} waving in a strong wind")
        XCTAssertEqual(sway.frames, 24)
        XCTAssertEqual(sway.fps, 8, "fields the user file omits are inherited")
        let walk = try library.template(id: "apparel.catwalk")
        XCTAssertEqual(walk.category, "apparel")
        XCTAssertEqual(walk.motion.effects.map(\.kind), [.pan])
        XCTAssertEqual(library.templates(for: "apparel").first?.id, "apparel.sway")
    }

    func testBadUserFilesAreClearErrors() throws {
        let dir = FileManager.default.temporaryDirectory
        func write(_ s: String) throws -> URL {
            let url = dir.appendingPathComponent("bad-templates-\(UUID()).json")
            try Data(s.utf8).write(to: url)
            return url
        }
        let base = try TemplateLibrary.builtIn()
        let missing = try write(#"{"templates": [{"id": "new.one", "category": "toys"}]}"#)
        XCTAssertThrowsError(try base.applying(userFile: missing)) { e in
            XCTAssertTrue("\(e)".contains("missing field 'prompt'"), "\(e)")
        }
        let badBase = try write(#"{"templates": [{"id": "x", "base": "nope"}]}"#)
        XCTAssertThrowsError(try base.applying(userFile: badBase)) { e in
            XCTAssertTrue("\(e)".contains("base template 'nope' does not exist"), "\(e)")
        }
        let badValue = try write(#"{"templates": [{"id": "apparel.sway", "frames": 0}]}"#)
        XCTAssertThrowsError(try base.applying(userFile: badValue)) { e in
            XCTAssertTrue("\(e)".contains("template 'apparel.sway': frames 0 outside 1...512"), "\(e)")
        }
        let notJSON = try write("{")
        XCTAssertThrowsError(try base.applying(userFile: notJSON)) { e in
            XCTAssertTrue("\(e)".contains("not valid JSON"), "\(e)")
        }
        XCTAssertThrowsError(try base.template(id: "nope")) { e in
            XCTAssertTrue("\(e)".hasPrefix("unknown template 'nope'; valid templates: apparel.sway,"), "\(e)")
        }
    }
}
