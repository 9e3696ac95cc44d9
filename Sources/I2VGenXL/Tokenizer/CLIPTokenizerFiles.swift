import Foundation
import ModelIO

/// Reading a CLIP tokenizer folder (`vocab.json`, `merges.txt`, `tokenizer_config.json`,
/// optional `special_tokens_map.json`), with errors that name the file and the key.
public struct CLIPTokenizerConfiguration: Equatable, Sendable {
    public var modelMaxLength: Int
    public var bosToken: String
    public var eosToken: String
    public var padToken: String
    public var unkToken: String
    public var doLowerCase: Bool

    /// transformers' `CLIPTokenizer` defaults.
    public init(
        modelMaxLength: Int = 77, bosToken: String = "<|startoftext|>", eosToken: String = "<|endoftext|>",
        padToken: String = "<|endoftext|>", unkToken: String = "<|endoftext|>", doLowerCase: Bool = true
    ) {
        self.modelMaxLength = modelMaxLength
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.padToken = padToken
        self.unkToken = unkToken
        self.doLowerCase = doLowerCase
    }

    /// Reads `tokenizer_config.json`, then lets `special_tokens_map.json` (when present)
    /// override the special tokens, as transformers does.
    public static func read(folder: String) throws -> CLIPTokenizerConfiguration {
        var config = CLIPTokenizerConfiguration()
        let configPath = folder + "/tokenizer_config.json"
        guard case .object(let root) = try JSONFile.read(configPath, expected: "the tokenizer's tokenizer_config.json") else {
            throw ModelIOError.invalidJSON(file: configPath, key: nil, detail: "is not a JSON object")
        }
        if let value = root["model_max_length"] {
            guard let n = value.intValue, n >= 2, n <= 1_000_000 else {
                throw ModelIOError.invalidJSON(file: configPath, key: "model_max_length", detail: "must be an integer from 2 to 1000000")
            }
            config.modelMaxLength = n
        }
        if let value = root["do_lower_case"] {
            guard let b = value.boolValue else {
                throw ModelIOError.invalidJSON(file: configPath, key: "do_lower_case", detail: "must be a boolean")
            }
            config.doLowerCase = b
        }
        try config.readSpecialTokens(root, file: configPath)
        let mapPath = folder + "/special_tokens_map.json"
        if let mapBytes = try? JSONFile.bytes(mapPath) {
            guard case .object(let map) = try parse(mapBytes, file: mapPath) else {
                throw ModelIOError.invalidJSON(file: mapPath, key: nil, detail: "is not a JSON object")
            }
            try config.readSpecialTokens(map, file: mapPath)
        }
        return config
    }

    private mutating func readSpecialTokens(_ object: JSONObject, file: String) throws {
        func token(_ key: String) throws -> String? {
            guard let value = object[key] else { return nil }
            if let s = value.stringValue { return s }
            // An `AddedToken` written as {"content": "...", "lstrip": false, ...}.
            if let s = value.objectValue?["content"]?.stringValue { return s }
            throw ModelIOError.invalidJSON(file: file, key: key, detail: "must be a string or an object with a string 'content'")
        }
        if let t = try token("bos_token") { bosToken = t }
        if let t = try token("eos_token") { eosToken = t }
        if let t = try token("pad_token") { padToken = t }
        if let t = try token("unk_token") { unkToken = t }
    }

    private static func parse(_ bytes: [UInt8], file: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch let error as JSONParseError {
            throw ModelIOError.invalidJSON(file: file, key: nil, detail: "is not valid JSON (\(error))")
        }
    }
}

enum CLIPTokenizerFiles {
    /// `vocab.json`: token → id.
    static func readVocabulary(_ path: String) throws -> [String: Int] {
        guard case .object(let root) = try JSONFile.read(path, expected: "the tokenizer's vocab.json") else {
            throw ModelIOError.invalidJSON(file: path, key: nil, detail: "is not a JSON object of token ids")
        }
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(root.count)
        for key in root.keys {
            guard let id = root[key]?.intValue, id >= 0 else {
                throw ModelIOError.invalidJSON(file: path, key: key, detail: "must be a non-negative integer id")
            }
            vocabulary[key] = id
        }
        return vocabulary
    }

    /// `merges.txt`: an optional `#version` line, then one `first second` pair per line in rank
    /// order.
    static func readMerges(_ path: String) throws -> [(String, String)] {
        let bytes = try JSONFile.bytes(path, expected: "the tokenizer's merges.txt")
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw ModelIOError.invalidJSON(file: path, key: nil, detail: "is not UTF-8 text")
        }
        var merges: [(String, String)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty || (number == 0 && trimmed.hasPrefix("#version")) { continue }
            let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2 else {
                throw TokenizerError.badMergeLine(file: path, line: number + 1, text: String(trimmed.prefix(80)))
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        return merges
    }
}

/// Tokenizer problems that are not about JSON syntax or missing files.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    case badMergeLine(file: String, line: Int, text: String)
    case tokenNotInVocabulary(token: String, key: String, file: String)

    public var description: String {
        switch self {
        case .badMergeLine(let file, let line, let text):
            return "\(file): line \(line) is not a merge of two symbols ('\(text)')"
        case .tokenNotInVocabulary(let token, let key, let file):
            return "\(file): \(key) '\(token)' is not in the vocabulary"
        }
    }

    public var errorDescription: String? { description }
}
