import Foundation

/// Identifies an image by its bytes (never by file name or declared type) and reads its size
/// from the header, so limits are enforced before anything decodes the pixels.
public enum ImageSniffer {
    public enum Format: String, Sendable, Codable, CaseIterable {
        case jpeg, png, webp
        public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
        public var mimeType: String { "image/\(rawValue)" }
    }

    public struct Info: Sendable, Equatable {
        public var format: Format
        public var width: Int
        public var height: Int
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unsupported
        case corrupt(String)

        public var description: String {
            switch self {
            case .unsupported: return "The file is not a JPEG, PNG or WebP image."
            case .corrupt(let why): return "The image is damaged: \(why)."
            }
        }
    }

    public static func inspect(_ bytes: [UInt8]) throws -> Info {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try jpeg(bytes) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return try png(bytes) }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return try webp(bytes) }
        throw Failure.unsupported
    }

    static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
    static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    static func le24(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }

    static func png(_ b: [UInt8]) throws -> Info {
        guard b.count >= 33, Array(b[12..<16]) == Array("IHDR".utf8) else { throw Failure.corrupt("the PNG header is incomplete") }
        let width = be32(b, 16), height = be32(b, 20)
        guard width > 0, height > 0 else { throw Failure.corrupt("the PNG has a zero dimension") }
        guard b.count > 45 else { throw Failure.corrupt("the PNG has no image data") }
        return Info(format: .png, width: width, height: height)
    }

    static func jpeg(_ b: [UInt8]) throws -> Info {
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { throw Failure.corrupt("a JPEG marker is missing at byte \(i)") }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            if marker == 0xD9 || marker == 0xDA { throw Failure.corrupt("the JPEG has no frame header") }
            let length = be16(b, i + 2)
            guard length >= 2, i + 2 + length <= b.count else { throw Failure.corrupt("a JPEG segment runs past the end of the file") }
            let isFrame = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isFrame {
                guard length >= 7 else { throw Failure.corrupt("the JPEG frame header is too short") }
                let height = be16(b, i + 5), width = be16(b, i + 7)
                guard width > 0, height > 0 else { throw Failure.corrupt("the JPEG has a zero dimension") }
                return Info(format: .jpeg, width: width, height: height)
            }
            i += 2 + length
        }
        throw Failure.corrupt("the JPEG ends before its frame header")
    }

    static func webp(_ b: [UInt8]) throws -> Info {
        guard b.count >= 30 else { throw Failure.corrupt("the WebP header is incomplete") }
        let chunk = String(decoding: b[12..<16], as: UTF8.self)
        let width: Int, height: Int
        switch chunk {
        case "VP8 ":
            guard b[23] == 0x9D, b[24] == 0x01, b[25] == 0x2A else { throw Failure.corrupt("the VP8 frame tag is missing") }
            width = le16(b, 26) & 0x3FFF
            height = le16(b, 28) & 0x3FFF
        case "VP8L":
            guard b[20] == 0x2F else { throw Failure.corrupt("the VP8L signature is missing") }
            let bits = Int(b[21]) | Int(b[22]) << 8 | Int(b[23]) << 16 | Int(b[24]) << 24
            width = (bits & 0x3FFF) + 1
            height = ((bits >> 14) & 0x3FFF) + 1
        case "VP8X":
            width = le24(b, 24) + 1
            height = le24(b, 27) + 1
        default:
            throw Failure.corrupt("unknown WebP chunk '\(chunk)'")
        }
        guard width > 0, height > 0 else { throw Failure.corrupt("the WebP has a zero dimension") }
        return Info(format: .webp, width: width, height: height)
    }
}
