import XCTest
@testable import ModelIO

/// Reading valid safetensors files: every dtype, metadata, views into the mapping.
final class SafetensorsReaderTests: TempDirTestCase {
    func testReadsWhatTheWriterWrote() throws {
        var writer = SafetensorsWriter(metadata: ["prompts": #"["a \"red\" mug","杯子"]"#, "height": "64"])
        try writer.add("x", float32: [1.5, -2, 0.25, 1e-8, 3, 4], shape: [2, 3])
        try writer.add("ids", int64: [49406, -1, Int(Int64.max)], shape: [3])
        try writer.add("image", uint8: [0, 128, 255, 7], shape: [1, 2, 2])
        let path = dir + "/t.safetensors"
        try writer.write(to: path)

        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(Set(file.names), ["x", "ids", "image"])
        XCTAssertEqual(file.metadata, ["prompts": #"["a \"red\" mug","杯子"]"#, "height": "64"])
        let x = try file.require("x")
        XCTAssertEqual(x.dtype, .float32)
        XCTAssertEqual(x.shape, [2, 3])
        XCTAssertEqual(try x.floats(), [1.5, -2, 0.25, 1e-8, 3, 4])
        XCTAssertEqual(try file.require("ids").ints(), [49406, -1, Int(Int64.max)])
        XCTAssertEqual(try file.require("image").uint8s(), [0, 128, 255, 7])
        XCTAssertEqual(try file.require("image").shape, [1, 2, 2])
    }

    func testHalfPrecisionValuesWidenExactly() throws {
        // 1.0, -2.0, 0.5 in float16 and bfloat16 bit patterns.
        let f16: [UInt16] = [0x3C00, 0xC000, 0x3800]
        let bf16: [UInt16] = [0x3F80, 0xC000, 0x3F00]
        var writer = SafetensorsWriter()
        try writer.add("h", dtype: .float16, shape: [3], bytes: f16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        try writer.add("b", dtype: .bfloat16, shape: [3], bytes: bf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        var f64: [UInt8] = []
        withUnsafeBytes(of: (0.125 as Double).bitPattern.littleEndian) { f64.append(contentsOf: $0) }
        try writer.add("d", dtype: .float64, shape: [1], bytes: f64)
        try writer.add("i", dtype: .int32, shape: [2], bytes: [0xFF, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0])
        try writer.add("m", dtype: .bool, shape: [2], bytes: [1, 0])
        let file = try SafetensorsFile(path: try write(writer.serialized(), to: "h.safetensors"))
        XCTAssertEqual(try file.require("h").floats(), [1, -2, 0.5])
        XCTAssertEqual(try file.require("b").floats(), [1, -2, 0.5])
        XCTAssertEqual(try file.require("d").floats(), [0.125])
        XCTAssertEqual(try file.require("i").ints(), [-1, 5])
        XCTAssertEqual(try file.require("m").ints(), [1, 0])
    }

    func testViewsPointIntoTheMappingAndAreAligned() throws {
        var writer = SafetensorsWriter()
        try writer.add("a", uint8: [1, 2, 3], shape: [3])
        try writer.add("w", float32: [1, 2, 3, 4], shape: [4])
        try writer.add("n", int64: [9], shape: [1])
        let file = try SafetensorsFile(path: try write(writer.serialized(), to: "v.safetensors"))
        for view in file.tensors {
            let address = Int(bitPattern: view.bytes.baseAddress)
            XCTAssertEqual(address % view.dtype.byteSize, 0, "\(view.name) is not aligned")
            let mapping = Int(bitPattern: file.mapping.base)
            XCTAssertTrue(address >= mapping && address + view.byteCount <= mapping + file.mapping.size)
        }
    }

    func testAMissingTensorIsAnErrorNamingFileAndKey() throws {
        let path = try writeWeights(["a": [1]], to: "m.safetensors")
        let file = try SafetensorsFile(path: path)
        let error = expectModelIOError { _ = try file.require("input_ids") }
        XCTAssertEqual(error, .missingTensor(file: path, key: "input_ids"))
        XCTAssertEqual(error?.description, "\(path): no tensor 'input_ids'")
    }

    func testReadingAsTheWrongKindIsAnError() throws {
        var writer = SafetensorsWriter()
        try writer.add("ids", int64: [1, 2], shape: [2])
        try writer.add("x", float32: [1], shape: [1])
        let path = try write(writer.serialized(), to: "k.safetensors")
        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(expectModelIOError { _ = try file.require("ids").floats() },
                       .wrongDType(file: path, key: "ids", stored: "I64", wanted: "F32, F16, BF16 or F64"))
        XCTAssertEqual(expectModelIOError { _ = try file.require("x").ints() },
                       .wrongDType(file: path, key: "x", stored: "F32", wanted: "I64, I32, U8 or BOOL"))
        XCTAssertEqual(expectModelIOError { try file.require("x").checkShape([2]) },
                       .weightShapeMismatch(key: "x", expected: [2], stored: [1], file: path))
    }

    func testZeroSizedAndScalarTensorsAreValid() throws {
        var writer = SafetensorsWriter()
        try writer.add("empty", float32: [], shape: [0, 4])
        try writer.add("scalar", float32: [7], shape: [])
        let file = try SafetensorsFile(path: try write(writer.serialized(), to: "z.safetensors"))
        XCTAssertEqual(try file.require("empty").floats(), [])
        XCTAssertEqual(try file.require("scalar").floats(), [7])
        XCTAssertEqual(try file.require("scalar").shape, [])
    }

    func testHeaderPaddingWithSpacesAndAnEmptyHeaderAreAccepted() throws {
        let file = try SafetensorsFile(path: try write(rawSafetensors(header: "{}      "), to: "e.safetensors"))
        XCTAssertEqual(file.count, 0)
        XCTAssertEqual(file.metadata, [:])
    }

    func testAMissingFileIsNamed() {
        let path = dir + "/absent.safetensors"
        XCTAssertEqual(expectModelIOError { _ = try SafetensorsFile(path: path) },
                       .missingFile(path: path, expected: "a safetensors file"))
    }

    func testAFolderIsNotAFile() {
        let error = expectModelIOError { _ = try SafetensorsFile(path: self.dir) }
        XCTAssertEqual(error, .unreadableFile(path: dir, reason: "not a regular file"))
    }
}
