import Crypto
import Foundation

/// Stores accepted originals under their SHA-256, so identical uploads share one file and no
/// client-chosen name ever touches the disk.
///
/// A file's modification time is when it was last stored or re-used by a new job ("touched"):
/// retention deletes only files untouched since its cutoff that no job references, and checks
/// and deletes under the same lock that storing and touching take, so a file an upload or a
/// re-run is just re-using is never swept away under it.
public struct InputStore: Sendable {
    public struct Stored: Sendable, Equatable {
        /// `<sha256 hex>.<ext>`, what jobs keep as `inputRef`.
        public var ref: String
        public var sha256: String
        public var info: ImageSniffer.Info
        public var byteCount: Int
    }

    /// Shared by every copy of this store (the intake, the worker and the maintenance service).
    private final class FilesLock: @unchecked Sendable {
        let lock = NSLock()
    }

    let layout: StorageLayout
    private let files = FilesLock()

    public init(layout: StorageLayout) { self.layout = layout }

    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        SHA256.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined()
    }

    /// Writes the bytes (temp file + rename) unless the same content is already stored, in which
    /// case that file is touched.
    public func store(_ bytes: [UInt8], info: ImageSniffer.Info) throws -> Stored {
        let hash = Self.sha256Hex(bytes)
        let ref = "\(hash).\(info.format.fileExtension)"
        guard let path = layout.inputPath(ref: ref) else { throw CocoaError(.fileWriteInvalidFileName) }
        let fm = FileManager.default
        if try touch(path) { return Stored(ref: ref, sha256: hash, info: info, byteCount: bytes.count) }
        try fm.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.createDirectory(at: layout.scratch, withIntermediateDirectories: true)
        let temp = layout.scratch.appendingPathComponent("upload-\(UUID().uuidString)")
        try Data(bytes).write(to: temp)
        defer { try? fm.removeItem(at: temp) }
        try files.lock.withLock {
            if fm.fileExists(atPath: path.path) {
                try fm.setAttributes([.modificationDate: Date()], ofItemAtPath: path.path)
            } else if rename(temp.path, path.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path.path])
            }
        }
        return Stored(ref: ref, sha256: hash, info: info, byteCount: bytes.count)
    }

    /// Marks a stored input as in use again (a re-run of an old job); false when it is gone.
    public func retain(_ ref: String) -> Bool {
        guard let path = layout.inputPath(ref: ref) else { return false }
        return (try? touch(path)) ?? false
    }

    private func touch(_ path: URL) throws -> Bool {
        try files.lock.withLock {
            guard FileManager.default.fileExists(atPath: path.path) else { return false }
            try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path.path)
            return true
        }
    }

    public func path(for ref: String) -> URL? { layout.inputPath(ref: ref) }

    /// References of the stored inputs last stored or touched before `cutoff`.
    public func refs(untouchedSince cutoff: Date) -> [String] {
        let fm = FileManager.default
        var refs: [String] = []
        for shard in (try? fm.contentsOfDirectory(atPath: layout.uploads.path)) ?? [] {
            let folder = layout.uploads.appendingPathComponent(shard, isDirectory: true)
            for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] {
                // Only names this store writes; anything else in the folder is left alone.
                guard let path = layout.inputPath(ref: name), path.deletingLastPathComponent().lastPathComponent == shard,
                    let modified = (try? fm.attributesOfItem(atPath: path.path))?[.modificationDate] as? Date, modified < cutoff
                else { continue }
                refs.append(name)
            }
        }
        return refs.sorted()
    }

    /// Deletes a stored input if it is still untouched since `cutoff` (checked under the lock
    /// storing takes). The caller has checked that no job references it.
    @discardableResult
    public func remove(_ ref: String, ifUntouchedSince cutoff: Date) -> Bool {
        guard let path = layout.inputPath(ref: ref) else { return false }
        return files.lock.withLock {
            let fm = FileManager.default
            guard let modified = (try? fm.attributesOfItem(atPath: path.path))?[.modificationDate] as? Date, modified < cutoff else {
                return false
            }
            return (try? fm.removeItem(at: path)) != nil
        }
    }
}
