import Foundation
import ModelIO
import Tensor

/// The `--inputs` safetensors file of a parity run. Accessors check presence, dtype class and
/// rank/shape, so that a malformed input is a one-line error naming the file and the tensor.
public struct ParityInputs {
    public let file: SafetensorsFile
    public var path: String { file.path }

    public init(path: String) throws {
        file = try SafetensorsFile(path: path)
    }

    /// The tensor `name`; `expected` describes it for the error message.
    public func tensor(_ name: String, expected: String) throws -> SafetensorsTensor {
        guard let t = file.tensor(name) else {
            throw ParityError.missingInput(file: path, name: name, expected: expected)
        }
        return t
    }

    /// Checks `shape` against a pattern: nil entries match any positive size.
    func check(_ t: SafetensorsTensor, pattern: [Int?], expected: String) throws {
        let ok = t.shape.count == pattern.count && zip(t.shape, pattern).allSatisfy { dim, want in
            want.map { $0 == dim } ?? (dim > 0)
        }
        guard ok else {
            throw ParityError.invalidInput(file: path, name: t.name, reason: "has shape \(t.shape), expected \(expected)")
        }
    }

    /// A floating-point tensor (F32/F16/BF16/F64) whose shape matches `pattern`, as a float32 backend tensor.
    public func floatTensor(_ name: String, pattern: [Int?], expected: String, on backend: any Backend) throws -> Tensor {
        let t = try tensor(name, expected: expected)
        try check(t, pattern: pattern, expected: expected)
        guard t.dtype.isFloatingPoint else {
            throw ParityError.invalidInput(file: path, name: name, reason: "is \(t.dtype.rawValue), expected a float tensor \(expected)")
        }
        return backend.tensor(try t.floats(), shape: t.shape)
    }

    /// An integer tensor (I64/I32/U8) whose shape matches `pattern`.
    public func intValues(_ name: String, pattern: [Int?], expected: String) throws -> (values: [Int], shape: [Int]) {
        let t = try tensor(name, expected: expected)
        try check(t, pattern: pattern, expected: expected)
        guard [.int64, .int32, .uint8].contains(t.dtype) else {
            throw ParityError.invalidInput(file: path, name: name, reason: "is \(t.dtype.rawValue), expected an integer tensor \(expected)")
        }
        return (try t.ints(), t.shape)
    }

    /// A U8 tensor whose shape matches `pattern`.
    public func bytes(_ name: String, pattern: [Int?], expected: String) throws -> (values: [UInt8], shape: [Int]) {
        let t = try tensor(name, expected: expected)
        try check(t, pattern: pattern, expected: expected)
        guard t.dtype == .uint8 else {
            throw ParityError.invalidInput(file: path, name: name, reason: "is \(t.dtype.rawValue), expected U8 \(expected)")
        }
        return (try t.uint8s(), t.shape)
    }

    public func hasTensor(_ name: String) -> Bool { file.contains(name) }

    /// A metadata value (all metadata values are strings).
    public func metadata(_ key: String) -> String? { file.metadata[key] }

    /// A required integer in the metadata.
    public func int(_ key: String) throws -> Int {
        guard let text = metadata(key) else {
            throw ParityError.missingInput(file: path, name: key, expected: "an integer in __metadata__")
        }
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ParityError.invalidInput(file: path, name: key, reason: "is '\(text)', expected an integer")
        }
        return v
    }

    /// An optional number in the metadata.
    public func double(_ key: String) throws -> Double? {
        guard let text = metadata(key) else { return nil }
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw ParityError.invalidInput(file: path, name: key, reason: "is '\(text)', expected a number")
        }
        return v
    }
}
