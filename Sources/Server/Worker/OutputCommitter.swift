import Foundation
import Jobs

/// Moves an attempt's files from "being written" to "committed" to "published", so a crash at
/// any point leaves either nothing or complete files, and only the attempt that wins the
/// fenced database commit is ever published.
///
/// 1. the pipeline writes into `attempt-N.partial/`;
/// 2. `seal` adds plan.json and qc.json, hashes every file and renames the folder to `attempt-N/`;
/// 3. the worker commits the result in the store, fenced by the attempt number;
/// 4. `publish` hard-links the files into `outputs/<date>_<job>_<slug>/` via a temporary folder
///    and a rename. Publishing is idempotent and can be repeated after a crash.
public struct OutputCommitter: Sendable {
    public let layout: StorageLayout

    public init(layout: StorageLayout) { self.layout = layout }

    /// A fresh, empty partial folder for the attempt (any leftover from a crash is removed).
    public func prepare(jobID: String, attempt: Int) throws -> URL {
        guard let partial = layout.attemptDirectory(jobID, attempt: attempt, partial: true) else {
            throw PipelineError.badInput("invalid job id \(jobID)")
        }
        let fm = FileManager.default
        try? fm.removeItem(at: partial)
        try fm.createDirectory(at: partial, withIntermediateDirectories: true)
        return partial
    }

    public func discard(jobID: String, attempt: Int) {
        for partial in [true, false] {
            if let url = layout.attemptDirectory(jobID, attempt: attempt, partial: partial) { try? FileManager.default.removeItem(at: url) }
        }
    }

    /// Writes plan.json/qc.json, checks the pipeline's files exist and renames the folder into place.
    public func seal(jobID: String, attempt: Int, title: String, output: AttemptOutput, seconds: Double, finishedAt: Date) throws -> JobResult {
        guard let partial = layout.attemptDirectory(jobID, attempt: attempt, partial: true),
            let final = layout.attemptDirectory(jobID, attempt: attempt, partial: false)
        else { throw PipelineError.badInput("invalid job id \(jobID)") }
        let encoder = JSONCoding.encoder
        encoder.outputFormatting.insert(.prettyPrinted)
        try encoder.encode(output.plan).write(to: partial.appendingPathComponent("plan.json"))
        try encoder.encode(output.qc).write(to: partial.appendingPathComponent("qc.json"))
        var files: [JobResult.File] = []
        for name in output.files + ["plan.json", "qc.json"] {
            guard let type = JobFiles.contentTypes[name] else { throw PipelineError.engineFailed("the pipeline wrote an unknown file \(name)") }
            let url = partial.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path), !data.isEmpty else {
                throw PipelineError.engineFailed("the pipeline did not write \(name)")
            }
            files.append(JobResult.File(name: name, bytes: data.count, sha256: InputStore.sha256Hex(data), contentType: type))
        }
        try? FileManager.default.removeItem(at: final)
        guard rename(partial.path, final.path) == 0 else {
            throw PipelineError.engineFailed("cannot move the attempt folder into place (errno \(errno))")
        }
        return JobResult(
            attempt: attempt,
            directory: "jobs/\(jobID)/attempt-\(attempt)",
            published: StorageLayout.publishedName(jobID: jobID, title: title, finishedAt: finishedAt),
            files: files, engine: output.engine, seed: output.seed, plan: output.plan, qc: output.qc, seconds: seconds)
    }

    /// Path of a committed file, or nil when the name is not one a job produces.
    public func committedFile(_ result: JobResult, name: String) -> URL? {
        guard JobFiles.contentTypes[name] != nil, result.file(named: name) != nil else { return nil }
        let parts = result.directory.split(separator: "/")
        guard parts.count == 3, parts[0] == "jobs", JobID.isValid(String(parts[1])), parts[2].hasPrefix("attempt-"),
            Int(parts[2].dropFirst("attempt-".count)) != nil
        else { return nil }
        return layout.data.appendingPathComponent(result.directory, isDirectory: true).appendingPathComponent(name)
    }

    /// Links the committed files into the outputs folder (copying across file systems).
    public func publish(_ result: JobResult, jobID: String) throws {
        let fm = FileManager.default
        let target = layout.publishedDirectory(result.published)
        let temp = layout.outputs.appendingPathComponent(".tmp-\(jobID)-\(result.attempt)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try fm.createDirectory(at: temp, withIntermediateDirectories: true)
        do {
            for file in result.files {
                guard let source = committedFile(result, name: file.name) else { continue }
                let destination = temp.appendingPathComponent(JobFiles.publishedName(file.name, folder: result.published))
                if link(source.path, destination.path) != 0 { try fm.copyItem(at: source, to: destination) }
            }
            try? fm.removeItem(at: target)
            guard rename(temp.path, target.path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path]) }
        } catch {
            try? fm.removeItem(at: temp)
            throw error
        }
    }

    public func isPublished(_ result: JobResult) -> Bool {
        FileManager.default.fileExists(atPath: layout.publishedDirectory(result.published).path)
    }

    /// Removes everything a job left on disk (retention, DELETE).
    public func removeAll(jobID: String, result: JobResult?) {
        if let dir = layout.jobDirectory(jobID) { try? FileManager.default.removeItem(at: dir) }
        if let result { try? FileManager.default.removeItem(at: layout.publishedDirectory(result.published)) }
    }
}
