import Foundation

/// Job and batch identifiers: short, lowercase, URL- and filename-safe.
///
/// Identifiers appear in URLs and file names, so anything a client sends as an identifier is
/// checked with `isValid` before it reaches the store or the file system.
public enum JobID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// `prefix` + 16 random base-32 characters (80 bits).
    public static func make(prefix: String = "j") -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<16).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// True for 1–64 characters of `[a-z0-9_-]`: no dots, slashes or percent signs.
    public static func isValid(_ id: String) -> Bool {
        guard (1...64).contains(id.utf8.count) else { return false }
        return id.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
        }
    }
}
