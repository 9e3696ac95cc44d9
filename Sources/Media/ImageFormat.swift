/// Still-image formats the decoder accepts. Recognised by content (magic bytes), never by name.
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    case jpeg, png, webp

    public var name: String {
        switch self {
        case .jpeg: return "JPEG"
        case .png: return "PNG"
        case .webp: return "WebP"
        }
    }

    /// Identifies the format from the first bytes: JPEG `FF D8 FF`, PNG's 8-byte signature,
    /// WebP `RIFF....WEBP`. Returns nil for anything else.
    public static func sniff<C: Collection>(_ bytes: C) -> ImageFormat? where C.Element == UInt8 {
        let head = Array(bytes.prefix(16))
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        if head.count >= 8, head[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.count >= 12, head[0..<4].elementsEqual(Array("RIFF".utf8)), head[8..<12].elementsEqual(Array("WEBP".utf8)) {
            return .webp
        }
        return nil
    }

    /// A short printable rendering of leading bytes for error messages.
    static func describeLeadingBytes<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.prefix(8).map { b in
            let hex = String(b, radix: 16, uppercase: true)
            return b < 16 ? "0" + hex : hex
        }.joined(separator: " ")
    }
}
