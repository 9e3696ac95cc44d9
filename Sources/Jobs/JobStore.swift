import Foundation

/// Durable storage and the queue discipline of jobs.
///
/// Guarantees every implementation keeps (the shared test suite checks them):
/// - `enqueue` returns only after the job is durable; with an idempotency key, at most one
///   live (queued, running or succeeded) job carries that key.
/// - `claimNext` hands each queued job to exactly one caller and increments its attempt.
/// - Writes carrying a `Lease` (heartbeat, complete, fail, acknowledgeCancel, release) succeed
///   only while the job is running *that* attempt; otherwise they throw `leaseLost` (or report
///   `.lost`), so a stale worker can never overwrite a newer attempt's outcome.
/// - Terminal transitions of jobs with a webhook write an outbox message atomically.
///
/// The SQLite implementation serialises writers; a PostgreSQL one would claim with
/// `SELECT … FOR UPDATE SKIP LOCKED` and fence with `UPDATE … WHERE attempt = $n`.
public protocol JobStore: Sendable {
    // MARK: Submitting
    func enqueue(_ job: NewJob) async throws -> EnqueueOutcome
    /// Stores a batch and its jobs in one transaction.
    func createBatch(_ batch: NewBatch, jobs: [NewJob]) async throws -> (Batch, [EnqueueOutcome])

    // MARK: Reading
    func job(id: String) async throws -> Job?
    func jobs(_ query: JobQuery) async throws -> JobPage
    /// 1 for the job that will be claimed next; nil unless the job is queued.
    func queuePosition(of id: String) async throws -> Int?
    func batch(id: String) async throws -> BatchSummary?
    func stats() async throws -> QueueStats

    // MARK: Working
    /// Leases the best queued job (highest priority, then oldest) whose backoff has elapsed.
    func claimNext(owner: String, leaseDuration: TimeInterval) async throws -> Lease?
    func heartbeat(_ lease: Lease, progress: JobProgress?, leaseDuration: TimeInterval) async throws -> HeartbeatOutcome
    func complete(_ lease: Lease, result: String) async throws -> Job
    /// Retries a retryable failure with backoff while attempts remain, else fails the job.
    func fail(_ lease: Lease, failure: JobFailure, retryPolicy: RetryPolicy) async throws -> FailOutcome
    /// The worker stopped because cancellation was requested.
    func acknowledgeCancel(_ lease: Lease) async throws -> Job
    /// Gives a running job back to the queue without counting the attempt (graceful shutdown).
    func release(_ lease: Lease) async throws -> Job

    // MARK: Operating
    func requestCancel(id: String) async throws -> CancelOutcome
    /// Re-queues a failed or cancelled job with a fresh attempt budget.
    func retry(id: String, maxAttempts: Int) async throws -> Job
    /// Deletes a finished (or still queued) job; running jobs must be cancelled first.
    func delete(id: String) async throws -> Job
    /// Re-queues (or fails, when attempts are used up) running jobs whose lease has expired.
    func recoverExpiredLeases() async throws -> [RecoveredJob]
    /// Treats every running lease as expired now. For the embedded store at start-up, when the
    /// data directory lock proves no other process can be running them.
    func recoverAllLeases() async throws -> [RecoveredJob]
    /// Deletes jobs that finished before `date` and returns them (retention).
    func purgeFinished(before date: Date) async throws -> [Job]
    /// The subset of `inputRefs` that some job (in any state) still references: stored inputs
    /// may be shared by jobs (they are named by content), so retention deletes only the rest.
    func inputsInUse(_ inputRefs: [String]) async throws -> Set<String>

    // MARK: Webhook outbox
    func dueOutboxMessages(limit: Int) async throws -> [OutboxMessage]
    func markOutboxDelivered(id: Int64) async throws
    /// Records a failed delivery; `retryAt == nil` gives up on the message.
    func markOutboxFailed(id: Int64, error: String, retryAt: Date?) async throws
}
