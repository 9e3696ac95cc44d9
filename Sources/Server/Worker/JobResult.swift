import Foundation

/// The committed outcome of a job, stored as its `result` JSON.
public struct JobResult: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var sha256: String
        public var contentType: String

        enum CodingKeys: String, CodingKey {
            case name, bytes, sha256
            case contentType = "content_type"
        }
    }

    /// The attempt whose files these are (the fencing token that committed them).
    public var attempt: Int
    /// The attempt folder, relative to the data directory.
    public var directory: String
    /// The folder under the outputs directory holding the published copies.
    public var published: String
    public var files: [File]
    public var engine: String
    public var seed: UInt32?
    public var plan: JSONValue
    public var qc: JSONValue
    public var seconds: Double

    public func file(named name: String) -> File? { files.first { $0.name == name } }

    public static func decode(_ text: String) throws -> JobResult {
        try JSONCoding.decoder.decode(JobResult.self, from: Data(text.utf8))
    }

    public func encoded() throws -> String { String(decoding: try JSONCoding.encoder.encode(self), as: UTF8.self) }
}

/// The files a job can produce, with their content types. Anything else is never served.
public enum JobFiles {
    public static let contentTypes: [String: String] = [
        "video.mp4": "video/mp4",
        "video.webp": "image/webp",
        "video.gif": "image/gif",
        "poster.jpg": "image/jpeg",
        "plan.json": "application/json",
        "qc.json": "application/json",
    ]

    /// The name a file gets in the outputs folder: `<folder>.mp4`, `<folder>.poster.jpg`, `plan.json`…
    public static func publishedName(_ file: String, folder: String) -> String {
        switch file {
        case "video.mp4": return "\(folder).mp4"
        case "video.webp": return "\(folder).webp"
        case "video.gif": return "\(folder).gif"
        case "poster.jpg": return "\(folder).poster.jpg"
        default: return file
        }
    }
}
