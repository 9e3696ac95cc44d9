import Foundation

/// Why a safetensors file was rejected. Each case renders as a short phrase; `ModelIOError`
/// adds the file and the tensor key.
public enum SafetensorsProblem: Equatable, Sendable, CustomStringConvertible {
    /// The file cannot even hold the 8-byte header length.
    case shorterThanHeaderLength(fileSize: Int)
    /// The header length field points past the end of the file.
    case headerBeyondFile(headerLength: UInt64, fileSize: Int)
    /// The header length is above the format's 100 MB limit.
    case headerTooLarge(headerLength: UInt64)
    case badJSON(String)
    case headerNotObject
    case entryNotObject
    case missingField(String)
    /// A field is present with the wrong JSON type or value (`detail` says which).
    case badField(String, detail: String)
    case unknownDType(String)
    case negativeDimension([Int])
    /// Element count × dtype size overflows or differs from the stored byte span.
    case byteCountMismatch(expected: Int?, stored: Int)
    case offsetsOutOfRange(begin: Int, end: Int, dataSize: Int)
    case reversedOffsets(begin: Int, end: Int)
    case overlaps(other: String)
    /// Bytes between two tensors that no tensor covers (the format forbids holes).
    case gapBefore(begin: Int, previousEnd: Int)
    case trailingBytes(dataEnd: Int, dataSize: Int)
    case badMetadata(String)

    public var description: String {
        switch self {
        case .shorterThanHeaderLength(let size):
            return "file is \(size) bytes, shorter than the 8-byte header length"
        case .headerBeyondFile(let length, let size):
            return "header length \(length) runs past the end of the file (\(size) bytes)"
        case .headerTooLarge(let length):
            return "header length \(length) exceeds the 100000000-byte limit"
        case .badJSON(let detail):
            return "header is not valid JSON (\(detail))"
        case .headerNotObject:
            return "header is not a JSON object"
        case .entryNotObject:
            return "entry is not a JSON object"
        case .missingField(let field):
            return "entry has no '\(field)'"
        case .badField(let field, let detail):
            return "'\(field)' \(detail)"
        case .unknownDType(let dtype):
            return "unknown dtype '\(dtype)' (supported: \(SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .negativeDimension(let shape):
            return "shape \(shape) has a negative dimension"
        case .byteCountMismatch(let expected, let stored):
            if let expected { return "shape and dtype need \(expected) bytes but data_offsets span \(stored)" }
            return "shape element count overflows (data_offsets span \(stored) bytes)"
        case .offsetsOutOfRange(let begin, let end, let dataSize):
            return "data_offsets [\(begin), \(end)] lie outside the \(dataSize)-byte data section"
        case .reversedOffsets(let begin, let end):
            return "data_offsets [\(begin), \(end)] end before they begin"
        case .overlaps(let other):
            return "data overlaps tensor '\(other)'"
        case .gapBefore(let begin, let previousEnd):
            return "data begins at \(begin) but the previous tensor ends at \(previousEnd) (holes are not allowed)"
        case .trailingBytes(let dataEnd, let dataSize):
            return "tensors cover \(dataEnd) bytes but the data section holds \(dataSize)"
        case .badMetadata(let detail):
            return "__metadata__ \(detail)"
        }
    }
}

/// Every failure of model loading, as one value that renders to a single line naming the file,
/// the key and the problem.
public enum ModelIOError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// A file or folder that must exist does not. `expected` says what should be there.
    case missingFile(path: String, expected: String)
    case unreadableFile(path: String, reason: String)
    /// A safetensors file failed validation; `key` is the tensor entry at fault, if any.
    case invalidSafetensors(file: String, key: String?, problem: SafetensorsProblem)
    /// A safetensors file lacks a tensor the caller requires.
    case missingTensor(file: String, key: String)
    /// A tensor was read in a way its dtype does not allow (e.g. int64 data as float).
    case wrongDType(file: String, key: String, stored: String, wanted: String)
    case missingWeight(key: String, folder: String)
    case weightShapeMismatch(key: String, expected: [Int], stored: [Int], file: String)
    case weightTakenTwice(key: String, file: String)
    case unconsumedWeights(keys: [String], folder: String)
    /// A weight folder's files contradict each other (two spellings of one key, a sharded index
    /// that disagrees with its shards, ...).
    case inconsistentWeights(folder: String, detail: String)
    /// A JSON file (config, index, tokenizer file) is malformed; `key` is the JSON key path.
    case invalidJSON(file: String, key: String?, detail: String)
    case missingComponent(directory: String, component: String, hint: String)
    /// The model folder itself is absent; `hint` says what it should be.
    case missingDirectory(path: String, hint: String)
    /// Bad arguments to `SafetensorsWriter` or a failed write.
    case writeFailed(path: String, reason: String)
    case invalidTensor(name: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path, let expected):
            return "\(path): not found (expected \(expected))"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read (\(reason))"
        case .invalidSafetensors(let file, let key, let problem):
            if let key { return "\(file): tensor '\(key)': \(problem)" }
            return "\(file): \(problem)"
        case .missingTensor(let file, let key):
            return "\(file): no tensor '\(key)'"
        case .wrongDType(let file, let key, let stored, let wanted):
            return "\(file): tensor '\(key)' is \(stored), expected \(wanted)"
        case .missingWeight(let key, let folder):
            return "\(folder): missing weight '\(key)'"
        case .weightShapeMismatch(let key, let expected, let stored, let file):
            return "\(file): weight '\(key)' has shape \(stored), expected \(expected)"
        case .weightTakenTwice(let key, let file):
            return "\(file): weight '\(key)' was bound twice"
        case .unconsumedWeights(let keys, let folder):
            let shown = keys.prefix(10).map { "'\($0)'" }.joined(separator: ", ")
            let more = keys.count > 10 ? " and \(keys.count - 10) more" : ""
            return "\(folder): \(keys.count) stored weight(s) not used by the model: \(shown)\(more)"
        case .inconsistentWeights(let folder, let detail):
            return "\(folder): \(detail)"
        case .invalidJSON(let file, let key, let detail):
            if let key { return "\(file): key '\(key)' \(detail)" }
            return "\(file): \(detail)"
        case .missingComponent(let directory, let component, let hint):
            return "\(directory): missing \(component)/ (\(hint))"
        case .missingDirectory(let path, let hint):
            return "\(path): no such folder (\(hint))"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write (\(reason))"
        case .invalidTensor(let name, let reason):
            return "tensor '\(name)': \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
