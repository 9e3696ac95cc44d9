import ModelIO
import Tensor

/// A `WeightProvider` over a table of key → shape, with no tensor data: it lets the model
/// construction code say which keys and shapes it expects (the same code that loads real
/// weights), for `i2v models verify` and for checking a checkpoint's key list without its bytes.
///
/// The tensors it hands out have no storage (`ShapeOnlyBuffer`); model construction only stores
/// them, and a model built on this provider must never be run.
public final class ShapeOnlyWeights: WeightProvider {
    public enum Mode {
        /// Fail at the first missing or mis-shaped key (like `StrictWeights`).
        case strict
        /// Record every problem and keep going (for a complete report).
        case collect
    }

    public struct Problem: Equatable, CustomStringConvertible {
        public enum Kind: Equatable { case missing, misshaped(stored: [Int]), extra }
        public let key: String
        public let expected: [Int]?
        public let kind: Kind

        public var description: String {
            switch kind {
            case .missing: return "missing '\(key)' \(expected ?? [])"
            case .misshaped(let stored): return "mis-shaped '\(key)': stored \(stored), expected \(expected ?? [])"
            case .extra: return "unexpected '\(key)'"
            }
        }
    }

    /// Stored key → shape.
    public let table: [String: [Int]]
    public let source: String
    public let mode: Mode
    public let aliases: [WeightKeyAlias]
    public let ignored: Set<String>
    /// Every (key, shape) the model took, in order (the model's expected key list).
    public private(set) var requested: [(key: String, shape: [Int])] = []
    public private(set) var problems: [Problem] = []
    private var consumed: Set<String> = []

    public init(
        _ table: [String: [Int]], source: String, mode: Mode = .strict, aliases: [WeightKeyAlias] = [],
        ignoring ignored: Set<String> = StrictWeights.nonParameterBuffers
    ) {
        self.table = table
        self.source = source
        self.mode = mode
        self.aliases = aliases
        self.ignored = ignored
    }

    /// The stored spelling of `key` under the alias rules, if stored.
    func storedKey(_ key: String) -> String? {
        if table[key] != nil { return key }
        for alias in aliases where table[alias.alternative(of: key)] != nil { return alias.alternative(of: key) }
        return nil
    }

    public func contains(_ key: String) -> Bool { storedKey(key) != nil }

    public func take(_ key: String, shape: [Int]) throws -> Tensor {
        requested.append((key, shape))
        if let stored = storedKey(key), let storedShape = table[stored] {
            consumed.insert(stored)
            if storedShape != shape {
                if mode == .strict {
                    throw ModelIOError.weightShapeMismatch(key: stored, expected: shape, stored: storedShape, file: source)
                }
                problems.append(Problem(key: stored, expected: shape, kind: .misshaped(stored: storedShape)))
            }
        } else {
            if mode == .strict { throw ModelIOError.missingWeight(key: key, folder: source) }
            problems.append(Problem(key: key, expected: shape, kind: .missing))
        }
        return Tensor(shape: shape, dtype: .float32, buffer: ShapeOnlyBuffer.shared)
    }

    public func takeStacked(_ keys: [String], shape: [Int]) throws -> Tensor {
        for key in keys { _ = try take(key, shape: shape) }
        return Tensor(shape: [keys.count * (shape.first ?? 1)] + shape.dropFirst(), dtype: .float32, buffer: ShapeOnlyBuffer.shared)
    }

    /// Stored keys the model did not take (ignored buffers excluded), sorted.
    public var unconsumedKeys: [String] {
        table.keys.filter { !consumed.contains($0) && !ignored.contains($0) }.sorted()
    }

    /// Strict mode: fails listing the unused stored keys. Collect mode: adds them to `problems`.
    public func finish() throws {
        let left = unconsumedKeys
        guard !left.isEmpty else { return }
        if mode == .strict { throw ModelIOError.unconsumedWeights(keys: left, folder: source) }
        problems.append(contentsOf: left.map { Problem(key: $0, expected: nil, kind: .extra) })
    }
}

/// Storage-less buffer of the tensors `ShapeOnlyWeights` hands out.
public final class ShapeOnlyBuffer: DeviceBuffer, @unchecked Sendable {
    public static let shared = ShapeOnlyBuffer()
    public var byteCount: Int { 0 }
}
