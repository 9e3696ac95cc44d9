import Foundation
import XCTest
@testable import I2VGenXL
import ModelIO

/// The tokenizer's pieces, each against what the Python reference does.
final class TokenizerBehaviourTests: XCTestCase {
    static let tokenizerFolder = TokenizerParityTests.fixtures + "/model/tokenizer"
    static let shared: CLIPTokenizer? = try? CLIPTokenizer(folder: tokenizerFolder)

    private func tokenizer() throws -> CLIPTokenizer { try XCTUnwrap(Self.shared, "fixture tokenizer did not load") }

    func testLoadsTheRealVocabularyAndSpecialTokens() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.vocabularySize, 49408)
        XCTAssertEqual(t.bosTokenID, 49406)
        XCTAssertEqual(t.eosTokenID, 49407)
        XCTAssertEqual(t.padTokenID, 49407)
        XCTAssertEqual(t.configuration.modelMaxLength, 77)
    }

    func testAKnownPromptEncodes() throws {
        // OpenCLIP: "a photo of a cat" → 320 1125 539 320 2368.
        let ids = try tokenizer().encode("a photo of a cat")
        XCTAssertEqual(Array(ids.prefix(7)), [49406, 320, 1125, 539, 320, 2368, 49407])
        XCTAssertEqual(ids.count, 77)
        XCTAssertTrue(ids[7...].allSatisfy { $0 == 49407 })
    }

    func testLongPromptsKeepEOSLast() throws {
        let ids = try tokenizer().encode(String(repeating: "photo ", count: 200))
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(ids.first, 49406)
        XCTAssertEqual(ids.last, 49407)
        XCTAssertEqual(ids[75], 1125)
    }

    func testCleanUpFollowsOpenCLIP() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.clean("  Hello\t\nWORLD  "), "hello world")
        XCTAssertEqual(t.clean("ΟΔΟΣ ΚΑΛΟΣ"), "οδος καλος")  // Python's final sigma
        XCTAssertEqual(t.clean("Tom &amp;amp; Jerry &lt;3"), "tom & jerry <3")
        XCTAssertEqual(t.clean("ｆｕｌｌｗｉｄｔｈ　ＡＢＣ１２３"), "fullwidth abc123")
        XCTAssertEqual(t.clean("ﬁne ﬂour"), "fine flour")
        XCTAssertEqual(t.clean("don\u{2019}t \u{201C}x\u{201D}"), "don't \"x\"")
        XCTAssertEqual(t.clean("bell\u{7}char \u{1B}[31mred\u{1B}[0m"), "bellchar red")
        XCTAssertEqual(t.clean("cafe\u{301}"), "café")
        XCTAssertEqual(t.clean("zero\u{200B}width"), "zero\u{200B}width")  // not white space in Python
    }

    func testHTMLUnescapeMatchesPython() {
        XCTAssertEqual(HTMLUnescape.python("&amp &ampx &notit; &#x41;&#66 &#128; &#0; &#xD800; &#1114112;"),
                       "& &x ¬it; AB € \u{FFFD} \u{FFFD} \u{FFFD}")
        XCTAssertEqual(HTMLUnescape.python("&#x; &# &unknown; &"), "&#x; &# &unknown; &")
        XCTAssertEqual(HTMLUnescape.ftfy("&eacute; &EACUTE; &amp &notit; &#x2019;"), "é É &amp &notit; \u{2019}")
        XCTAssertEqual(HTMLUnescape.ftfy("P&EACUTE;REZ &SZLIG;"), "PÉREZ SS")
    }

    func testPreTokenizerSplitsLikeTheCLIPPattern() {
        let p = CLIPPreTokenizer(specials: [Array("<|startoftext|>".unicodeScalars), Array("<|endoftext|>".unicodeScalars)])
        func words(_ s: String) -> [String] {
            p.split(Array(s.unicodeScalars)).map {
                switch $0 {
                case .special(let t): return t
                case .word(let w): return String(String.UnicodeScalarView(w))
                }
            }
        }
        XCTAssertEqual(words("it's 2024!! <|endoftext|>x"), ["it", "'s", "2", "0", "2", "4", "!!", "<|endoftext|>", "x"])
        XCTAssertEqual(words("we're ok'x 'll"), ["we", "'re", "ok", "'", "x", "'ll"])
        XCTAssertEqual(words("一只猫 in 东京"), ["一只猫", "in", "东京"])
        XCTAssertEqual(words("x'ſ"), ["x", "'ſ"])  // the regex module's case folding
        XCTAssertEqual(words("\u{1F436}\u{1F3D6}\u{FE0F}"), ["\u{1F436}\u{1F3D6}\u{FE0F}"])
    }

    func testMissingAndBadFilesAreNamed() throws {
        let dir = NSTemporaryDirectory() + "tok-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func error() -> String {
            do { _ = try CLIPTokenizer(folder: dir); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error().hasPrefix("\(dir)/tokenizer_config.json: not found"), error())
        try #"{"model_max_length": "77"}"#.write(toFile: dir + "/tokenizer_config.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(error(), "\(dir)/tokenizer_config.json: key 'model_max_length' must be an integer from 2 to 1000000")
        try #"{"model_max_length": 77}"#.write(toFile: dir + "/tokenizer_config.json", atomically: true, encoding: .utf8)
        XCTAssertTrue(error().hasPrefix("\(dir)/vocab.json: not found"), error())
        try #"{"a": 0, "<|startoftext|>": 1, "<|endoftext|>": "2"}"#.write(toFile: dir + "/vocab.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(error(), "\(dir)/vocab.json: key '<|endoftext|>' must be a non-negative integer id")
        try #"{"a": 0, "<|startoftext|>": 1, "<|endoftext|>": 2}"#.write(toFile: dir + "/vocab.json", atomically: true, encoding: .utf8)
        XCTAssertTrue(error().hasPrefix("\(dir)/merges.txt: not found"), error())
        try "#version: 0.2\na b\nc\n".write(toFile: dir + "/merges.txt", atomically: true, encoding: .utf8)
        XCTAssertEqual(error(), "\(dir)/merges.txt: line 3 is not a merge of two symbols ('c')")
        try "#version: 0.2\na b\n".write(toFile: dir + "/merges.txt", atomically: true, encoding: .utf8)
        XCTAssertEqual(error(), "no error")
        try #"{"pad_token": "<pad>"}"#.write(toFile: dir + "/special_tokens_map.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(error(), "\(dir)/tokenizer_config.json: pad_token '<pad>' is not in the vocabulary")
    }

    func testParityInputsWithoutPromptsAreRejected() throws {
        let path = NSTemporaryDirectory() + "tok-in-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafetensorsWriter(metadata: ["prompts": #"["ok", 3]"#]).write(to: path)
        XCTAssertThrowsError(try TokenizerParity.readPrompts(path)) {
            XCTAssertEqual("\($0)", "\(path): key '__metadata__.prompts[1]' must be a string, not a number")
        }
        try SafetensorsWriter().write(to: path)
        XCTAssertThrowsError(try TokenizerParity.readPrompts(path)) {
            XCTAssertEqual("\($0)", "\(path): key '__metadata__.prompts' is missing")
        }
    }
}
