import Foundation
import Jobs

/// Where everything lives on disk. Every path is built from validated identifiers and fixed
/// names, never from client-supplied strings, so no route can reach outside these folders.
///
/// ```
/// data/jobs.sqlite                       job database (WAL)
/// data/uploads/ab/<sha256>.<ext>         originals, content-addressed
/// data/jobs/<job>/attempt-N.partial/     an attempt writing its files
/// data/jobs/<job>/attempt-N/             a finished attempt (renamed into place)
/// outputs/<date>_<job>_<slug>/           published copies of the committed attempt
/// ```
public struct StorageLayout: Sendable {
    public let data: URL
    public let outputs: URL

    public init(data: URL, outputs: URL) {
        self.data = data
        self.outputs = outputs
    }

    public var database: URL { data.appendingPathComponent("jobs.sqlite") }
    public var uploads: URL { data.appendingPathComponent("uploads", isDirectory: true) }
    public var jobsRoot: URL { data.appendingPathComponent("jobs", isDirectory: true) }
    public var lockFile: URL { data.appendingPathComponent("i2v.lock") }
    public var webhookSecretFile: URL { data.appendingPathComponent("webhook-secret") }
    public var generatedKeyFile: URL { data.appendingPathComponent("api-key") }
    public var scratch: URL { data.appendingPathComponent("tmp", isDirectory: true) }

    public func createDirectories() throws {
        for url in [data, uploads, jobsRoot, outputs, scratch] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
    }

    public func jobDirectory(_ jobID: String) -> URL? {
        guard JobID.isValid(jobID) else { return nil }
        return jobsRoot.appendingPathComponent(jobID, isDirectory: true)
    }

    public func attemptDirectory(_ jobID: String, attempt: Int, partial: Bool) -> URL? {
        jobDirectory(jobID)?.appendingPathComponent("attempt-\(attempt)\(partial ? ".partial" : "")", isDirectory: true)
    }

    /// `2026-11-27_j3k9…_ceramic-mug`: sortable by date, findable by job id and product.
    public static func publishedName(jobID: String, title: String, finishedAt: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return "\(formatter.string(from: finishedAt))_\(jobID)_\(Slug.make(title))"
    }

    public func publishedDirectory(_ name: String) -> URL { outputs.appendingPathComponent(name, isDirectory: true) }

    /// `<hex>.<ext>` references of stored inputs, checked before they become paths.
    public func inputPath(ref: String) -> URL? {
        let parts = ref.split(separator: ".")
        guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
            ImageSniffer.Format.allCases.map(\.fileExtension).contains(String(parts[1]))
        else { return nil }
        return uploads.appendingPathComponent(String(parts[0].prefix(2)), isDirectory: true).appendingPathComponent(ref)
    }
}
