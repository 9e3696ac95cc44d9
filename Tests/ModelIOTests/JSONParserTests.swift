import XCTest
@testable import ModelIO

/// The strict JSON parser used for headers, indexes and tokenizer files.
final class JSONParserTests: XCTestCase {
    func testParsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d\u00e9\ud83d\ude00\n"}} "#)
        let root = try XCTUnwrap(value.objectValue)
        XCTAssertEqual(root.keys, ["a", "b"])
        XCTAssertEqual(root["a"], .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        XCTAssertEqual(root["a"]?.arrayValue?[1].doubleValue, -2500)
        XCTAssertEqual(root["b"]?.objectValue?["c"]?.stringValue, "dé😀\n")
    }

    func testIntegersAreExact() throws {
        XCTAssertEqual(try JSONParser.parse("9007199254740993").intValue, 9_007_199_254_740_993)
        XCTAssertNil(try JSONParser.parse("1.0").intValue)
        XCTAssertNil(try JSONParser.parse("1e2").intValue)
        XCTAssertNil(try JSONParser.parse("99999999999999999999").intValue)
    }

    func testPythonNonFiniteLiteralsAreNumbers() throws {
        XCTAssertEqual(try JSONParser.parse("[NaN, Infinity, -Infinity]").arrayValue?.map { $0.doubleValue?.isFinite }, [false, false, false])
    }

    func testMalformedInputIsRejectedWithAnOffset() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "\"a", "tru", "{\"a\":1,\"a\":2}", "[1] 2", "\"\u{1}\""] {
            XCTAssertThrowsError(try JSONParser.parse(text), "accepted \(text.debugDescription)") { error in
                XCTAssertTrue(error is JSONParseError)
            }
        }
        XCTAssertThrowsError(try JSONParser.parse(String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)))
    }

    func testLoneSurrogatesBecomeReplacementCharacters() throws {
        XCTAssertEqual(try JSONParser.parse(#""\ud800x""#).stringValue, "\u{FFFD}x")
    }
}
