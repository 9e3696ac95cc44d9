import Foundation

/// An exclusive lock on the data directory, held for the life of the server process.
///
/// The embedded SQLite store is meant for one server per data directory; holding this lock is
/// what lets start-up treat every `running` job as orphaned and re-queue it at once. The lock is
/// an `flock` on `data/i2v.lock`, released by the kernel when the process dies (even by
/// `kill -9`), so a crash never leaves a stale lock.
public final class DataDirectoryLock: @unchecked Sendable {
    public struct Held: Error, CustomStringConvertible {
        public var path: String
        public var owner: String
        public var description: String {
            "another i2v process (\(owner)) is using this data directory (\(path)); stop it or choose another --data-dir"
        }
    }

    private let descriptor: Int32

    public init(path: URL) throws {
        descriptor = open(path.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path.path]) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOf: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
            close(descriptor)
            throw Held(path: path.deletingLastPathComponent().path, owner: owner.isEmpty ? "unknown" : owner)
        }
        let note = "pid \(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit { close(descriptor) }
}

/// Secrets the server makes for itself when none is configured (an API key, the webhook
/// signing key), kept in the data directory readable by the owner only.
public enum GeneratedSecret {
    public static func loadOrCreate(_ url: URL, prefix: String = "") throws -> String {
        if let text = try? String(contentsOf: url, encoding: .utf8) {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { return value }
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        let value = prefix + String((0..<32).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
        try Data((value + "\n").utf8).write(to: url, options: .atomic)
        chmod(url.path, 0o600)
        return value
    }
}
