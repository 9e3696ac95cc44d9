import XCTest
@testable import ModelIO

/// Every malformed header is rejected with a typed error naming the file and, where one is at
/// fault, the tensor key.
final class SafetensorsValidationTests: TempDirTestCase {
    /// Opens `bytes` as a file and returns the problem reported, with the key it names.
    private func problem(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> (String?, SafetensorsProblem)? {
        let path = dir + "/bad.safetensors"
        do {
            try write(bytes, to: "bad.safetensors")
            _ = try SafetensorsFile(path: path)
            XCTFail("expected the file to be rejected", file: file, line: line)
        } catch ModelIOError.invalidSafetensors(let reported, let key, let problem) {
            XCTAssertEqual(reported, path, file: file, line: line)
            return (key, problem)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    private func entry(_ key: String = "w", dtype: String = "\"F32\"", shape: String = "[2]", offsets: String = "[0,8]") -> String {
        "{\"\(key)\":{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
    }

    func testAFileShorterThanEightBytes() {
        for n in 0..<8 {
            XCTAssertEqual(problem(Array(repeating: 0, count: n))?.1, .shorterThanHeaderLength(fileSize: n))
        }
    }

    func testAHeaderLengthBeyondTheFile() {
        XCTAssertEqual(problem(rawSafetensors(header: "{}", declaredLength: 3))?.1, .headerBeyondFile(headerLength: 3, fileSize: 10))
        XCTAssertEqual(problem(rawSafetensors(header: "{}", declaredLength: UInt64.max))?.1, .headerTooLarge(headerLength: UInt64.max))
    }

    func testBadJSON() {
        guard case .badJSON(let detail)? = problem(rawSafetensors(header: "{\"w\": {"))?.1 else { return XCTFail() }
        XCTAssertTrue(detail.contains("header byte"), detail)
        guard case .badJSON? = problem(rawSafetensors(header: "{\"a\":1,\"a\":2}"))?.1 else { return XCTFail("duplicate key") }
        guard case .badJSON? = problem(rawSafetensors(header: "{}\u{0}\u{0}"))?.1 else { return XCTFail("NUL padding") }
        guard case .badJSON? = problem(rawSafetensors(header: String(repeating: "[", count: 100_000)))?.1 else {
            return XCTFail("deep nesting")
        }
        guard case .badJSON? = problem([7, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])?.1 else { return XCTFail("invalid UTF-8") }
    }

    func testAHeaderThatIsNotAnObject() {
        XCTAssertEqual(problem(rawSafetensors(header: "[1,2]"))?.1, .headerNotObject)
        XCTAssertEqual(problem(rawSafetensors(header: "\"w\""))?.1, .headerNotObject)
    }

    func testEntriesMissingAField() {
        let data = [UInt8](repeating: 0, count: 8)
        let noDType = rawSafetensors(header: #"{"w":{"shape":[2],"data_offsets":[0,8]}}"#, data: data)
        let noShape = rawSafetensors(header: #"{"w":{"dtype":"F32","data_offsets":[0,8]}}"#, data: data)
        let noOffsets = rawSafetensors(header: #"{"w":{"dtype":"F32","shape":[2]}}"#, data: data)
        XCTAssertEqual(problem(noDType)?.0, "w")
        XCTAssertEqual(problem(noDType)?.1, .missingField("dtype"))
        XCTAssertEqual(problem(noShape)?.1, .missingField("shape"))
        XCTAssertEqual(problem(noOffsets)?.1, .missingField("data_offsets"))
        XCTAssertEqual(problem(rawSafetensors(header: #"{"w":[1]}"#))?.1, .entryNotObject)
    }

    func testFieldsOfTheWrongType() {
        let data = [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(problem(rawSafetensors(header: entry(dtype: "4"), data: data))?.1, .badField("dtype", detail: "must be a string"))
        XCTAssertEqual(problem(rawSafetensors(header: entry(shape: "[2.5]"), data: data))?.1,
                       .badField("shape", detail: "must be an array of integers"))
        XCTAssertEqual(problem(rawSafetensors(header: entry(shape: "\"2\""), data: data))?.1,
                       .badField("shape", detail: "must be an array of integers"))
        XCTAssertEqual(problem(rawSafetensors(header: entry(shape: "[99999999999999999999]"), data: data))?.1,
                       .badField("shape", detail: "must be an array of integers"))
        XCTAssertEqual(problem(rawSafetensors(header: entry(offsets: "[0]"), data: data))?.1,
                       .badField("data_offsets", detail: "must be an array of two integers"))
        XCTAssertEqual(problem(rawSafetensors(header: entry(offsets: "[0,8,9]"), data: data))?.1,
                       .badField("data_offsets", detail: "must be an array of two integers"))
    }

    func testUnknownDType() {
        XCTAssertEqual(problem(rawSafetensors(header: entry(dtype: "\"F8_E4M3\""), data: [0, 0]))?.1, .unknownDType("F8_E4M3"))
        XCTAssertEqual(problem(rawSafetensors(header: entry(dtype: "\"f32\""), data: [0, 0]))?.1, .unknownDType("f32"))
    }

    func testNegativeDimensions() {
        XCTAssertEqual(problem(rawSafetensors(header: entry(shape: "[-2,-1]"), data: Array(repeating: 0, count: 8)))?.1,
                       .negativeDimension([-2, -1]))
    }

    func testElementCountTimesDTypeSizeMustEqualTheSpan() {
        XCTAssertEqual(problem(rawSafetensors(header: entry(shape: "[3]"), data: Array(repeating: 0, count: 8)))?.1,
                       .byteCountMismatch(expected: 12, stored: 8))
        XCTAssertEqual(problem(rawSafetensors(header: entry(shape: "[4611686018427387904,4]"), data: Array(repeating: 0, count: 8)))?.1,
                       .byteCountMismatch(expected: nil, stored: 8))
    }

    func testOffsetsOutOfRangeOrReversed() {
        XCTAssertEqual(problem(rawSafetensors(header: entry(offsets: "[0,16]"), data: Array(repeating: 0, count: 8)))?.1,
                       .offsetsOutOfRange(begin: 0, end: 16, dataSize: 8))
        XCTAssertEqual(problem(rawSafetensors(header: entry(offsets: "[-8,0]"), data: Array(repeating: 0, count: 8)))?.1,
                       .offsetsOutOfRange(begin: -8, end: 0, dataSize: 8))
        XCTAssertEqual(problem(rawSafetensors(header: entry(offsets: "[8,0]"), data: Array(repeating: 0, count: 8)))?.1,
                       .reversedOffsets(begin: 8, end: 0))
    }

    func testOverlappingSpansNameBothTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let result = problem(rawSafetensors(header: header, data: Array(repeating: 0, count: 12)))
        XCTAssertEqual(result?.0, "b")
        XCTAssertEqual(result?.1, .overlaps(other: "a"))
    }

    func testHolesAndTrailingBytesAreRejected() {
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        let result = problem(rawSafetensors(header: gap, data: Array(repeating: 0, count: 12)))
        XCTAssertEqual(result?.0, "b")
        XCTAssertEqual(result?.1, .gapBefore(begin: 8, previousEnd: 4))
        XCTAssertEqual(problem(rawSafetensors(header: entry(), data: Array(repeating: 0, count: 9)))?.1,
                       .trailingBytes(dataEnd: 8, dataSize: 9))
    }

    func testEntriesInAnyHeaderOrderAreFine() throws {
        // Header order is not offset order (writers sort names and dtypes differently).
        let header = #"{"z":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}"#
        let file = try SafetensorsFile(path: try write(rawSafetensors(header: header, data: [0, 0, 128, 63, 9, 8]), to: "o.safetensors"))
        XCTAssertEqual(file.names, ["z", "a"])
        XCTAssertEqual(try file.require("z").floats(), [1])
        XCTAssertEqual(try file.require("a").uint8s(), [9, 8])
    }

    func testMetadataMustMapStringsToStrings() throws {
        let ok = try SafetensorsFile(path: try write(rawSafetensors(header: #"{"__metadata__":{"format":"pt"}}"#), to: "m.safetensors"))
        XCTAssertEqual(ok.metadata, ["format": "pt"])
        XCTAssertEqual(ok.count, 0)
        XCTAssertEqual(problem(rawSafetensors(header: #"{"__metadata__":{"n":3}}"#))?.1,
                       .badMetadata("value of 'n' is a number, not a string"))
        XCTAssertEqual(problem(rawSafetensors(header: #"{"__metadata__":["x"]}"#))?.1, .badMetadata("must be an object of strings"))
    }

    func testMessagesNameTheFileAndTheKey() {
        let path = dir + "/bad.safetensors"
        let error = ModelIOError.invalidSafetensors(file: path, key: "w", problem: .unknownDType("Q4"))
        XCTAssertTrue(error.description.hasPrefix("\(path): tensor 'w': unknown dtype 'Q4'"), error.description)
        XCTAssertEqual(error.localizedDescription, error.description)
    }
}
