import Foundation
import Jobs

/// The JSON shapes the API returns. Built from store values at the edge; nothing inside the
/// server passes these around.
struct JobResource: Encodable, Sendable {
    struct Progress: Encodable, Sendable {
        var stage: String
        var fraction: Double
        var step: Int?
        var totalSteps: Int?
        var etaSeconds: Double?
        enum CodingKeys: String, CodingKey {
            case stage, fraction, step
            case totalSteps = "total_steps"
            case etaSeconds = "eta_seconds"
        }
    }

    struct ErrorInfo: Encodable, Sendable {
        var code: String
        var message: String
        var retryable: Bool
    }

    struct File: Encodable, Sendable {
        var name: String
        var url: String
        var bytes: Int
        var contentType: String
        var sha256: String
        enum CodingKeys: String, CodingKey {
            case name, url, bytes, sha256
            case contentType = "content_type"
        }
    }

    var id: String
    var status: String
    var title: String
    var batchId: String?
    var priority: Int
    var attempt: Int
    var maxAttempts: Int
    var queuePosition: Int?
    var cancelRequested: Bool
    var progress: Progress?
    var params: GenerationRequest?
    var engine: String?
    var seed: UInt32?
    var plan: JSONValue?
    var qc: JSONValue?
    var files: [File]
    var outputsFolder: String?
    var error: ErrorInfo?
    var lastError: ErrorInfo?
    var retryAt: Date?
    var webhook: String?
    var createdAt: Date
    var updatedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var links: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, status, title, priority, attempt, progress, params, engine, seed, plan, qc, files, error, webhook, links
        case batchId = "batch_id"
        case maxAttempts = "max_attempts"
        case queuePosition = "queue_position"
        case cancelRequested = "cancel_requested"
        case outputsFolder = "outputs_folder"
        case lastError = "last_error"
        case retryAt = "retry_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    init(_ job: Job, queuePosition: Int?, now: Date = Date()) {
        let base = "/api/v1/jobs/\(job.id)"
        id = job.id
        status = job.state.rawValue
        title = job.title
        batchId = job.batchID
        priority = job.priority
        attempt = job.attempt
        maxAttempts = job.maxAttempts
        self.queuePosition = queuePosition
        cancelRequested = job.cancelRequested
        progress = job.progress.map {
            Progress(stage: $0.stage, fraction: $0.fraction, step: $0.step, totalSteps: $0.totalSteps, etaSeconds: $0.etaSeconds)
        }
        params = try? GenerationRequest.decodePayload(job.payload)
        let result = job.result.flatMap { try? JobResult.decode($0) }
        engine = result?.engine
        seed = result?.seed
        plan = result?.plan
        qc = result?.qc
        files = (result?.files ?? []).map {
            File(name: $0.name, url: "\(base)/files/\($0.name)", bytes: $0.bytes, contentType: $0.contentType, sha256: $0.sha256)
        }
        outputsFolder = result?.published
        let failure = job.failure.map { ErrorInfo(code: $0.code, message: $0.message, retryable: $0.retryable) }
        if job.state == .failed { error = failure } else if !job.state.isTerminal { lastError = failure }
        if job.state == .queued, job.runAfter > now { retryAt = job.runAfter }
        webhook = job.webhookURL
        createdAt = job.createdAt
        updatedAt = job.updatedAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        var links = ["self": base, "events": "\(base)/events"]
        switch job.state {
        case .queued, .running: links["cancel"] = "\(base)/cancel"
        case .failed, .cancelled: links["retry"] = "\(base)/retry"
        case .succeeded: break
        }
        if let batchID = job.batchID { links["batch"] = "/api/v1/batches/\(batchID)" }
        self.links = links
    }
}

struct JobListResource: Encodable, Sendable {
    var jobs: [JobResource]
    var nextCursor: String?
    enum CodingKeys: String, CodingKey {
        case jobs
        case nextCursor = "next_cursor"
    }
}

struct BatchResource: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var id: String
        var title: String
        var status: String
        var progress: Double
        var error: String?
        var files: [String: String]
    }

    var id: String
    var title: String
    var status: String
    var itemCount: Int
    var counts: [String: Int]
    var createdAt: Date
    var completedAt: Date?
    var webhook: String?
    var items: [Item]?
    var links: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, title, status, counts, webhook, items, links
        case itemCount = "item_count"
        case createdAt = "created_at"
        case completedAt = "completed_at"
    }

    init(_ summary: BatchSummary, jobs: [Job]?) {
        let batch = summary.batch
        id = batch.id
        title = batch.title
        itemCount = batch.itemCount
        counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, summary.counts[$0] ?? 0) })
        status = batch.completedAt != nil ? "completed" : ((summary.counts[.running] ?? 0) > 0 || summary.finished > 0 ? "running" : "queued")
        createdAt = batch.createdAt
        completedAt = batch.completedAt
        webhook = batch.webhookURL
        items = jobs?.map { job in
            let result = job.result.flatMap { try? JobResult.decode($0) }
            var files: [String: String] = [:]
            for file in result?.files ?? [] { files[file.name] = "/api/v1/jobs/\(job.id)/files/\(file.name)" }
            return Item(
                id: job.id, title: job.title, status: job.state.rawValue,
                progress: job.state == .succeeded ? 1 : (job.progress?.fraction ?? 0),
                error: job.state == .failed ? job.failure?.message : nil, files: files)
        }
        links = ["self": "/api/v1/batches/\(batch.id)", "archive": "/api/v1/batches/\(batch.id)/archive", "jobs": "/api/v1/jobs?batch=\(batch.id)"]
    }
}

extension JobResource.Progress {
    init(_ p: JobProgress) {
        self.init(stage: p.stage, fraction: p.fraction, step: p.step, totalSteps: p.totalSteps, etaSeconds: p.etaSeconds)
    }

    /// The `progress` SSE event's data.
    static func json(_ p: JobProgress) -> JSONValue { (try? JSONValue.from(JobResource.Progress(p))) ?? .null }
}
