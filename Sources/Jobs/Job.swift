import Foundation

/// One durable unit of work: a photo to turn into a video.
///
/// The request parameters (`payload`) and the committed result (`result`) are JSON documents
/// that the Jobs layer stores without interpreting; the Server owns their schema.
public struct Job: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var batchID: String?
    public var state: JobState
    /// Higher runs first; equal priorities run oldest first.
    public var priority: Int
    public var idempotencyKey: String?
    public var title: String
    public var payload: String
    /// Content hash of the stored input image.
    public var inputRef: String
    public var webhookURL: String?
    /// Number of attempts started so far; also the fencing token of the current lease.
    public var attempt: Int
    /// Highest attempt number the job may reach (grows on manual retry).
    public var maxAttempts: Int
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    /// A queued job is not claimed before this time (retry backoff).
    public var runAfter: Date
    public var cancelRequested: Bool
    public var progress: JobProgress?
    public var result: String?
    public var failure: JobFailure?
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
}

/// What a client asks to enqueue.
public struct NewJob: Sendable, Equatable {
    public var title: String
    public var payload: String
    public var inputRef: String
    public var priority: Int
    public var idempotencyKey: String?
    public var webhookURL: String?
    public var maxAttempts: Int

    public init(
        title: String, payload: String, inputRef: String, priority: Int = 0,
        idempotencyKey: String? = nil, webhookURL: String? = nil, maxAttempts: Int = 3
    ) {
        self.title = title
        self.payload = payload
        self.inputRef = inputRef
        self.priority = priority
        self.idempotencyKey = idempotencyKey
        self.webhookURL = webhookURL
        self.maxAttempts = max(1, maxAttempts)
    }
}

/// The right to run one attempt of a job. Every write a worker makes carries it, and the store
/// refuses writes whose attempt is no longer the job's current one (fencing).
public struct Lease: Sendable, Equatable {
    public var jobID: String
    public var attempt: Int
    public var owner: String
    public var expiresAt: Date
    /// The job as it was when claimed (state `running`).
    public var job: Job
}

public enum EnqueueOutcome: Sendable, Equatable {
    /// A new job was stored.
    case created(Job)
    /// A live job with the same idempotency key already exists; nothing was stored.
    case existing(Job)

    public var job: Job {
        switch self {
        case .created(let job), .existing(let job): return job
        }
    }
}

public enum HeartbeatOutcome: Sendable, Equatable {
    /// The lease was extended; `cancelRequested` tells the worker to stop at the next step.
    case extended(until: Date, cancelRequested: Bool)
    /// The lease no longer belongs to this attempt (expired and re-claimed, or the job was
    /// deleted). The worker must stop; its results would be refused.
    case lost
}

public enum FailOutcome: Sendable, Equatable {
    /// Queued again; it will not be claimed before `at`.
    case willRetry(at: Date, job: Job)
    /// Terminal: `failed`, or `cancelled` when cancellation had been requested.
    case finished(Job)
}

public enum CancelOutcome: Sendable, Equatable {
    /// The job was queued and is now cancelled.
    case cancelled(Job)
    /// The job is running; the worker will stop between steps.
    case requested(Job)
}

/// A job that was running under an expired lease and has been put back (or failed).
public struct RecoveredJob: Sendable, Equatable {
    public var job: Job
    public var expiredAttempt: Int
}
