import Foundation
import XCTest
@testable import ModelIO

/// The writer produces valid, aligned files and never leaves a partial output behind.
final class SafetensorsWriterTests: TempDirTestCase {
    func testOutputIsDeterministicAndAligned() throws {
        var a = SafetensorsWriter(metadata: ["b": "2", "a": "1"])
        try a.add("z", uint8: [1], shape: [1])
        try a.add("y", float32: [1, 2], shape: [2])
        try a.add("x", int64: [3], shape: [1])
        var b = SafetensorsWriter(metadata: ["a": "1", "b": "2"])
        try b.add("x", int64: [3], shape: [1])
        try b.add("z", uint8: [1], shape: [1])
        try b.add("y", float32: [1, 2], shape: [2])
        XCTAssertEqual(a.serialized(), b.serialized())
        let header = try a.serialized().withUnsafeBytes { try SafetensorsHeader.parse(file: $0, path: "mem") }
        XCTAssertEqual(header.dataStart % 8, 0)
        for e in header.entries { XCTAssertEqual(e.begin % e.dtype.byteSize, 0, e.name) }
    }

    func testNamesAreEscapedInTheHeader() throws {
        var writer = SafetensorsWriter(metadata: ["prompt": "say \"hi\"\n\\ \u{1}"])
        try writer.add("we\"ird\\name", float32: [1], shape: [1])
        let path = dir + "/e.safetensors"
        try writer.write(to: path)
        let file = try SafetensorsFile(path: path)
        XCTAssertEqual(file.names, ["we\"ird\\name"])
        XCTAssertEqual(file.metadata["prompt"], "say \"hi\"\n\\ \u{1}")
    }

    func testRejectsBadTensors() {
        var writer = SafetensorsWriter()
        XCTAssertEqual(expectModelIOError { try writer.add("x", float32: [1, 2, 3], shape: [2]) },
                       .invalidTensor(name: "x", reason: "shape [2] of F32 needs 8 bytes, got 12"))
        XCTAssertNotNil(expectModelIOError { try writer.add("__metadata__", float32: [1], shape: [1]) })
        XCTAssertNotNil(expectModelIOError { try writer.add("n", float32: [], shape: [-1, 0]) })
        XCTAssertNoThrow(try writer.add("x", float32: [1], shape: [1]))
        XCTAssertEqual(expectModelIOError { try writer.add("x", float32: [1], shape: [1]) },
                       .invalidTensor(name: "x", reason: "added twice"))
    }

    func testReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
        let path = try write("old contents", to: "out.safetensors")
        var writer = SafetensorsWriter()
        try writer.add("x", float32: [1], shape: [1])
        try writer.write(to: path)
        XCTAssertEqual(try SafetensorsFile(path: path).names, ["x"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.safetensors"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o644)
    }

    func testAFailedWriteLeavesNoFile() throws {
        var writer = SafetensorsWriter()
        try writer.add("x", float32: [1], shape: [1])
        let missingFolder = dir + "/no/such/folder/out.safetensors"
        guard case .writeFailed(let path, _)? = expectModelIOError({ try writer.write(to: missingFolder) }) else {
            return XCTFail("expected writeFailed")
        }
        XCTAssertEqual(path, missingFolder)
        // Renaming onto a directory fails after the temporary file was written: it must be removed.
        let blocked = dir + "/blocked"
        try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
        XCTAssertNotNil(expectModelIOError { try writer.write(to: blocked) })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["blocked"])
    }
}
