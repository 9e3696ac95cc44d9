import Foundation

/// A `multipart/form-data` body split into its parts (RFC 7578).
///
/// The body has already been collected under the upload byte limit, so parsing works on one
/// contiguous buffer; parts are slices of it, never copied per byte.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var body: ArraySlice<UInt8>

        var text: String? { String(bytes: body, encoding: .utf8) }
    }

    enum Failure: Error, Equatable { case missingBoundary, malformed(String), tooManyParts }

    var parts: [Part]

    /// The boundary parameter of a `multipart/form-data` content type, or nil for other types.
    static func boundary(fromContentType contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = pieces.first, type.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.utf8.count > 200 ? nil : value
        }
        return nil
    }

    init(body: [UInt8], boundary: String, maxParts: Int = 64) throws {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var cursor = Self.find(delimiter, in: body, from: 0) else { throw Failure.malformed("no boundary line") }
        var parts: [Part] = []
        while true {
            cursor += delimiter.count
            // "--" after a delimiter ends the body.
            if body.count >= cursor + 2, body[cursor] == 45, body[cursor + 1] == 45 { break }
            // Skip transport padding and the CRLF that ends the delimiter line.
            guard let lineEnd = Self.find(crlf, in: body, from: cursor) else { throw Failure.malformed("unterminated boundary line") }
            let headerStart = lineEnd + 2
            guard let headerEnd = Self.find([13, 10, 13, 10], in: body, from: headerStart), headerEnd - headerStart <= 8192 else {
                throw Failure.malformed("part headers are missing or too long")
            }
            let headerText = String(decoding: body[headerStart..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = Self.find(crlf + delimiter, in: body, from: contentStart) else { throw Failure.malformed("part is not terminated") }
            var part = Part(name: "", filename: nil, contentType: nil, body: body[contentStart..<next])
            for line in headerText.components(separatedBy: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                switch pair[0].lowercased() {
                case "content-disposition":
                    let params = Self.parameters(pair[1])
                    part.name = params["name"] ?? ""
                    part.filename = params["filename"]
                case "content-type":
                    part.contentType = pair[1]
                default:
                    break
                }
            }
            guard !part.name.isEmpty else { throw Failure.malformed("a part has no name") }
            parts.append(part)
            guard parts.count <= maxParts else { throw Failure.tooManyParts }
            cursor = next + 2
        }
        self.parts = parts
    }

    /// `form-data; name="image"; filename="a.jpg"` → ["name": "image", "filename": "a.jpg"].
    static func parameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(value)
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...].drop(while: { $0 == " " })
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var after = rest[rest.index(after: equals)...]
            let parsed: String
            if after.first == "\"" {
                after = after.dropFirst()
                var text = ""
                var escaped = false
                var end = after.endIndex
                for index in after.indices {
                    let ch = after[index]
                    if escaped { text.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { end = index; break } else { text.append(ch) }
                }
                parsed = text
                rest = end < after.endIndex ? after[after.index(after: end)...] : ""
            } else {
                let end = after.firstIndex(of: ";") ?? after.endIndex
                parsed = after[..<end].trimmingCharacters(in: .whitespaces)
                rest = after[end...]
            }
            result[key] = parsed
        }
        return result
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = start
        let last = haystack.count - needle.count
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < pin.count && hay[i + j] == pin[j] { j += 1 }
                        if j == pin.count { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }
}
