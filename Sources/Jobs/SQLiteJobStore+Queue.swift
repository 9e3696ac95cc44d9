import Foundation
import GRDB

extension SQLiteJobStore {
    public func claimNext(owner: String, leaseDuration: TimeInterval) async throws -> Lease? {
        let now = now()
        let expires = now + leaseDuration
        return try await write { db in
            guard
                let id = try String.fetchOne(
                    db,
                    sql: "SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ? ORDER BY priority DESC, seq ASC LIMIT 1",
                    arguments: [now])
            else { return nil }
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?,
                        progress = NULL, started_at = COALESCE(started_at, ?), updated_at = ?
                    WHERE id = ? AND state = 'queued'
                    """,
                arguments: [owner, expires, now, now, id])
            guard db.changesCount == 1 else { return nil }
            let job = try Self.requireJob(db, id: id)
            return Lease(jobID: id, attempt: job.attempt, owner: owner, expiresAt: Date(timeIntervalSince1970: expires), job: job)
        }
    }

    /// The job row, provided it is still running under `lease`'s attempt.
    static func fenced(_ db: Database, _ lease: Lease) throws -> Job {
        guard let job = try fetchJob(db, id: lease.jobID), job.state == .running, job.attempt == lease.attempt else {
            throw JobStoreError.leaseLost(id: lease.jobID, attempt: lease.attempt)
        }
        return job
    }

    public func heartbeat(_ lease: Lease, progress: JobProgress?, leaseDuration: TimeInterval) async throws -> HeartbeatOutcome {
        let now = now()
        let expires = now + leaseDuration
        let progressJSON = try SQLiteRows.encode(progress)
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET lease_expires_at = ?, progress = COALESCE(?, progress), updated_at = ?
                    WHERE id = ? AND state = 'running' AND attempt = ?
                    """,
                arguments: [expires, progressJSON, now, lease.jobID, lease.attempt])
            guard db.changesCount == 1, let job = try Self.fetchJob(db, id: lease.jobID) else { return .lost }
            return .extended(until: Date(timeIntervalSince1970: expires), cancelRequested: job.cancelRequested)
        }
    }

    public func complete(_ lease: Lease, result: String) async throws -> Job {
        let now = now()
        return try await write { db in
            let job = try Self.fenced(db, lease)
            try db.execute(sql: "UPDATE jobs SET progress = ? WHERE id = ?", arguments: [
                try SQLiteRows.encode(JobProgress(stage: "done", fraction: 1)), job.id,
            ])
            return try Self.finish(db, job, as: .succeeded, result: result, failure: nil, now: now)
        }
    }

    public func fail(_ lease: Lease, failure: JobFailure, retryPolicy: RetryPolicy) async throws -> FailOutcome {
        let now = now()
        let unit = unitRandom()
        return try await write { db in
            let job = try Self.fenced(db, lease)
            if job.cancelRequested {
                return .finished(try Self.finish(db, job, as: .cancelled, result: nil, failure: nil, now: now))
            }
            if failure.retryable && job.attempt < job.maxAttempts {
                let runAfter = now + retryPolicy.delay(afterAttempt: job.attempt, unit: unit)
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'queued', failure = ?, lease_owner = NULL, lease_expires_at = NULL,
                            run_after = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [try SQLiteRows.encode(failure), runAfter, now, job.id])
                return .willRetry(at: Date(timeIntervalSince1970: runAfter), job: try Self.requireJob(db, id: job.id))
            }
            return .finished(try Self.finish(db, job, as: .failed, result: nil, failure: failure, now: now))
        }
    }

    public func acknowledgeCancel(_ lease: Lease) async throws -> Job {
        let now = now()
        return try await write { db in
            let job = try Self.fenced(db, lease)
            return try Self.finish(db, job, as: .cancelled, result: nil, failure: nil, now: now)
        }
    }

    public func release(_ lease: Lease) async throws -> Job {
        let now = now()
        return try await write { db in
            let job = try Self.fenced(db, lease)
            if job.cancelRequested {
                return try Self.finish(db, job, as: .cancelled, result: nil, failure: nil, now: now)
            }
            // The released attempt does not count against the budget.
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'queued', max_attempts = max_attempts + 1, lease_owner = NULL,
                        lease_expires_at = NULL, run_after = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [now, now, job.id])
            return try Self.requireJob(db, id: job.id)
        }
    }

    public func recoverExpiredLeases() async throws -> [RecoveredJob] {
        let now = now()
        return try await write { db in try Self.recover(db, whereSQL: "lease_expires_at < ?", arguments: [now], now: now) }
    }

    public func recoverAllLeases() async throws -> [RecoveredJob] {
        let now = now()
        return try await write { db in try Self.recover(db, whereSQL: "1", arguments: [], now: now) }
    }

    /// Running jobs matching `whereSQL` lost their worker: re-queue them while attempts remain
    /// (the next claim increments the attempt, fencing the lost one out), cancel them if
    /// cancellation was requested, fail them otherwise.
    static func recover(_ db: Database, whereSQL: String, arguments: StatementArguments, now: Double) throws -> [RecoveredJob] {
        let stale = try Row.fetchAll(
            db, sql: "SELECT \(SQLiteRows.jobColumns) FROM jobs WHERE state = 'running' AND \(whereSQL)", arguments: arguments
        ).map(SQLiteRows.job)
        var recovered: [RecoveredJob] = []
        for job in stale {
            let outcome: Job
            if job.cancelRequested {
                outcome = try finish(db, job, as: .cancelled, result: nil, failure: nil, now: now)
            } else if job.attempt < job.maxAttempts {
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, run_after = ?,
                            failure = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        now,
                        try SQLiteRows.encode(JobFailure(code: "lease_expired", message: "The worker stopped responding; retrying.", retryable: true)),
                        now, job.id,
                    ])
                outcome = try requireJob(db, id: job.id)
            } else {
                outcome = try finish(db, job, as: .failed, result: nil, failure: .leaseExpired(attempts: job.attempt), now: now)
            }
            recovered.append(RecoveredJob(job: outcome, expiredAttempt: job.attempt))
        }
        return recovered
    }
}
