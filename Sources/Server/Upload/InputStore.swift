import Crypto
import Foundation

/// Stores accepted originals under their SHA-256, so identical uploads share one file and no
/// client-chosen name ever touches the disk.
public struct InputStore: Sendable {
    public struct Stored: Sendable, Equatable {
        /// `<sha256 hex>.<ext>`, what jobs keep as `inputRef`.
        public var ref: String
        public var sha256: String
        public var info: ImageSniffer.Info
        public var byteCount: Int
    }

    let layout: StorageLayout

    public init(layout: StorageLayout) { self.layout = layout }

    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        SHA256.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined()
    }

    /// Writes the bytes (temp file + rename) unless the same content is already stored.
    public func store(_ bytes: [UInt8], info: ImageSniffer.Info) throws -> Stored {
        let hash = Self.sha256Hex(bytes)
        let ref = "\(hash).\(info.format.fileExtension)"
        guard let path = layout.inputPath(ref: ref) else { throw CocoaError(.fileWriteInvalidFileName) }
        let fm = FileManager.default
        if !fm.fileExists(atPath: path.path) {
            try fm.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.createDirectory(at: layout.scratch, withIntermediateDirectories: true)
            let temp = layout.scratch.appendingPathComponent("upload-\(UUID().uuidString)")
            try Data(bytes).write(to: temp)
            if rename(temp.path, path.path) != 0 {
                try? fm.removeItem(at: temp)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path.path])
            }
        }
        return Stored(ref: ref, sha256: hash, info: info, byteCount: bytes.count)
    }

    public func path(for ref: String) -> URL? { layout.inputPath(ref: ref) }
}
