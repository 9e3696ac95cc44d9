import Foundation

/// Decodes a diffusers/transformers `config.json` into a caller's `Decodable` struct.
///
/// Unknown keys are ignored (configs carry many fields a model does not use); a missing or
/// wrong-typed field becomes one line naming the file, the JSON key path and the expected type:
/// `vae/config.json: key 'block_out_channels' must be an array of integers (element 2 is a string)`.
public enum ConfigFile {
    public static func decode<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        let bytes = try JSONFile.bytes(path, expected: "a config.json")
        return try decode(type, from: bytes, file: path)
    }

    /// Decodes `bytes` (the text of the file named `file` in messages).
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String) throws -> T {
        // Parse with the strict parser first so that syntax errors name a byte offset and the
        // decoding errors below can say what the offending value actually is.
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch let error as JSONParseError {
            throw ModelIOError.invalidJSON(file: file, key: nil, detail: "is not valid JSON (\(error))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw describe(error, file: file, document: document)
        }
    }

    /// One-line form of a `DecodingError`.
    static func describe(_ error: DecodingError, file: String, document: JSONValue) -> ModelIOError {
        switch error {
        case .typeMismatch(let type, let context):
            let path = context.codingPath
            if let last = path.last, last.intValue != nil, path.count >= 1 {
                let arrayPath = Array(path.dropLast())
                let found = value(at: path, in: document)?.typeDescription ?? "missing"
                return .invalidJSON(
                    file: file, key: keyPath(arrayPath),
                    detail: "must be an array of \(plural(type)) (element \(last.intValue ?? 0) is \(found))")
            }
            let found = value(at: path, in: document)?.typeDescription ?? "missing"
            return .invalidJSON(file: file, key: keyPath(path), detail: "must be \(expected(type)), not \(found)")
        case .valueNotFound(let type, let context):
            return .invalidJSON(file: file, key: keyPath(context.codingPath), detail: "must be \(expected(type)), not null")
        case .keyNotFound(let key, let context):
            return .invalidJSON(file: file, key: keyPath(context.codingPath + [key]), detail: "is missing")
        case .dataCorrupted(let context):
            let path = context.codingPath
            if path.isEmpty { return .invalidJSON(file: file, key: nil, detail: context.debugDescription) }
            return .invalidJSON(file: file, key: keyPath(path), detail: "is invalid: \(context.debugDescription)")
        @unknown default:
            return .invalidJSON(file: file, key: nil, detail: "\(error)")
        }
    }

    /// `down_blocks[2].resnets` style path.
    static func keyPath(_ path: [CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == "\(index)" {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out
    }

    static func value(at path: [CodingKey], in document: JSONValue) -> JSONValue? {
        var current: JSONValue? = document
        for key in path {
            switch current {
            case .object(let object)?: current = object[key.stringValue]
            case .array(let array)?:
                guard let i = key.intValue, array.indices.contains(i) else { return nil }
                current = array[i]
            default: return nil
            }
        }
        return current
    }

    static func expected(_ type: Any.Type) -> String {
        switch kind(type) {
        case .integer: return "an integer"
        case .number: return "a number"
        case .string: return "a string"
        case .boolean: return "a boolean"
        case .array: return "an array"
        case .object: return "an object"
        case .other: return "a \(type)"
        }
    }

    static func plural(_ type: Any.Type) -> String {
        switch kind(type) {
        case .integer: return "integers"
        case .number: return "numbers"
        case .string: return "strings"
        case .boolean: return "booleans"
        case .array: return "arrays"
        case .object: return "objects"
        case .other: return "\(type) values"
        }
    }

    private enum Kind { case integer, number, string, boolean, array, object, other }

    private static func kind(_ type: Any.Type) -> Kind {
        if type == Int.self || type == Int64.self || type == Int32.self || type == Int16.self || type == Int8.self
            || type == UInt.self || type == UInt64.self || type == UInt32.self || type == UInt16.self || type == UInt8.self {
            return .integer
        }
        if type == Double.self || type == Float.self { return .number }
        if type == String.self { return .string }
        if type == Bool.self { return .boolean }
        let name = String(describing: type)
        if name.hasPrefix("Array<") || name.hasPrefix("[") && !name.contains(":") { return .array }
        if name.hasPrefix("Dictionary<") || name.hasPrefix("[") && name.contains(":") { return .object }
        return .other
    }
}
