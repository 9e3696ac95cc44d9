import Foundation
import XCTest
@testable import ModelIO

/// A fresh temporary directory per test, removed afterwards.
class TempDirTestCase: XCTestCase {
    var dir: String = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "modelio-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Writes `bytes` to `name` inside the temp dir (creating sub-folders) and returns the path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    func write(_ text: String, to name: String) throws -> String { try write(Array(text.utf8), to: name) }

    /// Writes a safetensors file of float32 tensors (values 0, 1, 2, ...) with the given shapes.
    @discardableResult
    func writeWeights(_ shapes: [String: [Int]], dtype: SafetensorsDType = .float32, to name: String) throws -> String {
        var writer = SafetensorsWriter()
        for (key, shape) in shapes {
            let n = shape.reduce(1, *)
            try writer.add(key, dtype: dtype, shape: shape, bytes: Array(repeating: 0, count: n * dtype.byteSize))
        }
        return try write(writer.serialized(), to: name)
    }

    /// Asserts that `body` throws a `ModelIOError` and returns it.
    func expectModelIOError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> ModelIOError? {
        do {
            try body()
            XCTFail("expected a ModelIOError, but nothing was thrown", file: file, line: line)
        } catch let error as ModelIOError {
            return error
        } catch {
            XCTFail("expected a ModelIOError, got \(error)", file: file, line: line)
        }
        return nil
    }
}

/// A file laid out by hand: the 8-byte little-endian length, then `header`, then `data`.
func rawSafetensors(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let json = Array(header.utf8)
    var out: [UInt8] = []
    withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { out.append(contentsOf: $0) }
    return out + json + data
}

/// Deterministic pseudo-random numbers (SplitMix64), so property tests replay identically.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Tensor

/// The backend tests wrap tensors with.
let testBackend = CPUBackend(threads: 1)
