import Foundation
import Jobs
import Logging

/// `i2v batch`: runs a CSV of products through the same queue, worker and commit path as the
/// server, without HTTP. State lives in `<out>/.i2v-batch/`, so running the same command again
/// skips finished rows and resumes interrupted ones (their leases are recovered at start).
public struct OfflineBatch {
    public struct Row: Sendable {
        public var line: Int
        public var title: String
        public var jobID: String?
        public var status: String
        public var seconds: Double?
        public var output: String?
        public var error: String?
        public var skipped: Bool
    }

    public struct Progress: Sendable {
        public var total: Int
        public var finished: Int
        public var running: [String]
        public var fraction: Double
    }

    public var csv: URL
    public var outputs: URL
    public var workers: Int
    public var maxAttempts: Int

    public init(csv: URL, outputs: URL, workers: Int = 1, maxAttempts: Int = 3) {
        self.csv = csv
        self.outputs = outputs
        self.workers = max(1, workers)
        self.maxAttempts = maxAttempts
    }

    /// Reads the CSV: `image` (a path, relative to the CSV's folder) or `image_url`, `title`, and
    /// any job field as a column.
    func readRows() throws -> [(line: Int, item: BatchInput.Item)] {
        let text: String
        do { text = try String(contentsOf: csv, encoding: .utf8) } catch {
            throw ConfigError(message: "cannot read \(csv.path): \(error.localizedDescription)")
        }
        let records: [[String: String]]
        do { records = try CSV.records(text) } catch { throw ConfigError(message: "\(csv.lastPathComponent): \(error)") }
        let base = csv.deletingLastPathComponent()
        return records.enumerated().map { index, record in
            var fields: [String: JSONValue] = [:]
            var image: BatchInput.Image?
            for (key, raw) in record {
                let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !value.isEmpty else { continue }
                switch key {
                case "image_url", "url": image = .url(value)
                case "image", "file", "path":
                    let url = value.hasPrefix("/") ? URL(fileURLWithPath: value) : base.appendingPathComponent(value)
                    image = .bytes(Array(FileManager.default.contents(atPath: url.path) ?? Data()), name: url.path)
                default: fields[key] = .string(value)
                }
            }
            return (index + 2, BatchInput.Item(fields: fields, image: image))
        }
    }

    public func run(
        pipeline: any JobPipeline, planner: any PlanningService, verifyImage: (@Sendable ([UInt8]) throws -> Void)?, logger: Logger,
        progress: @escaping @Sendable (Progress) -> Void
    ) async throws -> [Row] {
        let rows = try readRows()
        let state = outputs.appendingPathComponent(".i2v-batch", isDirectory: true)
        var config = ServerConfig()
        config.dataDir = state.path
        config.outputsDir = outputs.path
        config.workers = workers
        config.maxAttempts = maxAttempts
        config.allowPrivateNetworks = false
        let layout = StorageLayout(data: config.dataURL, outputs: config.outputsURL)
        try layout.createDirectories()
        let lock = try DataDirectoryLock(path: layout.lockFile)
        defer { withExtendedLifetime(lock) {} }
        let store = try SQLiteJobStore(path: layout.database.path)
        _ = try await store.recoverAllLeases()
        let services = AppServices(
            config: config, layout: layout, store: store, pipeline: pipeline, planner: planner, apiKeys: [], webhookSecret: "",
            verifyImage: verifyImage, recoverLeasesOnStart: false, logger: logger)
        let intake = services.intake

        var results: [Row] = []
        for (line, item) in rows {
            var row = Row(line: line, title: item.fields["title"]?.stringValue ?? "", status: "rejected", skipped: false)
            do {
                let (request, options) = try intake.parse(item.fields)
                let bytes: [UInt8]
                switch item.image {
                case .bytes(let data, let name)?:
                    guard !data.isEmpty else { throw Problem.missingField("image", "\(name) cannot be read.") }
                    bytes = data
                case .url(let url)?: bytes = try await intake.fetch(imageURL: url)
                case nil: throw Problem.missingField("image", "the row has no image or image_url.")
                }
                let stored = try await intake.accept(imageBytes: bytes)
                var job = try intake.makeJob(request, options: options, inputRef: stored.ref, idempotencyKey: nil)
                job.idempotencyKey = job.idempotencyKey.map { "offline-" + $0 }
                switch try await store.enqueue(job) {
                case .created(let created):
                    row.jobID = created.id
                    row.status = created.state.rawValue
                case .existing(let existing):
                    row.jobID = existing.id
                    row.status = existing.state.rawValue
                    row.skipped = existing.state == .succeeded
                }
            } catch let problem as Problem {
                row.error = problem.detail
            }
            results.append(row)
        }

        let ids = Set(results.compactMap(\.jobID))
        let worker = services.worker
        let runner = Task { try await worker.run() }
        while true {
            var finished = 0
            var fraction = 0.0
            var running: [String] = []
            for id in ids {
                guard let job = try await store.job(id: id) else { finished += 1; fraction += 1; continue }
                if job.state.isTerminal {
                    finished += 1
                    fraction += 1
                } else {
                    fraction += job.progress?.fraction ?? 0
                    if job.state == .running { running.append(job.title) }
                }
            }
            progress(Progress(total: ids.count, finished: finished, running: running, fraction: ids.isEmpty ? 1 : fraction / Double(ids.count)))
            if finished == ids.count { break }
            await services.doorbell.wait(timeout: 0.5)
        }
        worker.beginShutdown()
        _ = try? await runner.value

        for index in results.indices {
            guard let id = results[index].jobID, let job = try await store.job(id: id) else { continue }
            results[index].status = job.state.rawValue
            if let text = job.result, let result = try? JobResult.decode(text) {
                results[index].output = layout.publishedDirectory(result.published).path
                results[index].seconds = result.seconds
                if !services.committer.isPublished(result) { try? services.committer.publish(result, jobID: id) }
            }
            if job.state == .failed { results[index].error = job.failure?.message }
        }
        return results
    }
}
