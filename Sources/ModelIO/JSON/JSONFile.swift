import Foundation

/// Reading small JSON files (configs, indexes, tokenizer files) with errors that name the file.
public enum JSONFile {
    /// The bytes of `path`; a missing file is `ModelIOError.missingFile`.
    public static func bytes(_ path: String, expected: String = "a JSON file") throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelIOError.missingFile(path: path, expected: expected)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelIOError.unreadableFile(path: path, reason: "read failed")
        }
        return [UInt8](data)
    }

    /// The parsed JSON of `path`.
    public static func read(_ path: String, expected: String = "a JSON file") throws -> JSONValue {
        let data = try bytes(path, expected: expected)
        do {
            return try JSONParser.parse(data)
        } catch let error as JSONParseError {
            throw ModelIOError.invalidJSON(file: path, key: nil, detail: "is not valid JSON (\(error))")
        }
    }
}
