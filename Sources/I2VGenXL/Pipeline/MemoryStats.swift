import Foundation

/// Resident-memory figures of this process, read from `/proc/self/status` (Linux).
public enum MemoryStats {
    /// Peak resident set size so far (`VmHWM`), in bytes; nil where /proc is unavailable.
    public static func peakResidentBytes() -> Int? { field("VmHWM") }

    /// Current resident set size (`VmRSS`), in bytes; nil where /proc is unavailable.
    public static func residentBytes() -> Int? { field("VmRSS") }

    /// Resets the peak (`VmHWM`) to the current RSS by writing "5" to /proc/self/clear_refs, so a
    /// benchmark can measure the peak of one phase. Returns false where the kernel refuses.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        do { try h.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    private static func field(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            // "VmHWM:\t  123456 kB"
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kb = Int(parts[1]) else { return nil }
            return kb * 1024
        }
        return nil
    }
}
