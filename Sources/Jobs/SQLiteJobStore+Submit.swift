import Foundation
import GRDB

extension SQLiteJobStore {
    public func enqueue(_ job: NewJob) async throws -> EnqueueOutcome {
        let now = now()
        return try await write { db in try Self.insert(db, job, batchID: nil, now: now) }
    }

    public func createBatch(_ batch: NewBatch, jobs: [NewJob]) async throws -> (Batch, [EnqueueOutcome]) {
        guard !jobs.isEmpty else { throw JobStoreError.invalid("a batch needs at least one item") }
        let now = now()
        let id = JobID.make(prefix: "b")
        return try await write { db in
            try db.execute(
                sql: "INSERT INTO batches (id, title, webhook_url, item_count, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, batch.title, batch.webhookURL, jobs.count, now])
            let outcomes = try jobs.map { try Self.insert(db, $0, batchID: id, now: now) }
            let stored = Batch(
                id: id, title: batch.title, webhookURL: batch.webhookURL, itemCount: jobs.count,
                createdAt: Date(timeIntervalSince1970: now), completedAt: nil)
            return (stored, outcomes)
        }
    }

    /// Inserts a job unless a live job holds the same idempotency key. A failed or cancelled
    /// job gives its key up to the new one, so submitting again after a failure runs again.
    static func insert(_ db: Database, _ new: NewJob, batchID: String?, now: Double) throws -> EnqueueOutcome {
        if let key = new.idempotencyKey {
            if let existing = try Row.fetchOne(
                db, sql: "SELECT \(SQLiteRows.jobColumns) FROM jobs WHERE idempotency_key = ?", arguments: [key]).map(SQLiteRows.job)
            {
                switch existing.state {
                case .queued, .running, .succeeded:
                    return .existing(existing)
                case .failed, .cancelled:
                    try db.execute(sql: "UPDATE jobs SET idempotency_key = NULL WHERE id = ?", arguments: [existing.id])
                }
            }
        }
        let id = JobID.make()
        let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM jobs") ?? 0) + 1
        try db.execute(
            sql: """
                INSERT INTO jobs (id, seq, batch_id, state, priority, idempotency_key, title, payload, input_ref,
                                  webhook_url, attempt, max_attempts, run_after, created_at, updated_at)
                VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
                """,
            arguments: [
                id, seq, batchID, new.priority, new.idempotencyKey, new.title, new.payload, new.inputRef,
                new.webhookURL, new.maxAttempts, now, now, now,
            ])
        return .created(try requireJob(db, id: id))
    }

    public func requestCancel(id: String) async throws -> CancelOutcome {
        let now = now()
        return try await write { db in
            let job = try Self.requireJob(db, id: id)
            switch job.state {
            case .queued:
                return .cancelled(try Self.finish(db, job, as: .cancelled, result: nil, failure: nil, now: now))
            case .running:
                try db.execute(sql: "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?", arguments: [now, id])
                return .requested(try Self.requireJob(db, id: id))
            case .succeeded, .failed, .cancelled:
                throw JobStoreError.conflict(id: id, state: job.state, action: "cancel")
            }
        }
    }

    public func retry(id: String, maxAttempts: Int) async throws -> Job {
        let now = now()
        return try await write { db in
            let job = try Self.requireJob(db, id: id)
            guard job.state == .failed || job.state == .cancelled else {
                throw JobStoreError.conflict(id: id, state: job.state, action: "retry")
            }
            // The attempt counter never goes back (it is the fencing token); the budget moves up.
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'queued', max_attempts = ?, run_after = ?, cancel_requested = 0,
                        failure = NULL, result = NULL, progress = NULL, finished_at = NULL, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [job.attempt + max(1, maxAttempts), now, now, id])
            if let batchID = job.batchID {
                try db.execute(sql: "UPDATE batches SET completed_at = NULL WHERE id = ?", arguments: [batchID])
            }
            return try Self.requireJob(db, id: id)
        }
    }

    public func delete(id: String) async throws -> Job {
        let now = now()
        return try await write { db in
            let job = try Self.requireJob(db, id: id)
            guard job.state != .running else { throw JobStoreError.conflict(id: id, state: job.state, action: "delete") }
            try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [id])
            try db.execute(
                sql: "UPDATE outbox SET gave_up_at = ?, last_error = 'job deleted' WHERE job_id = ? AND delivered_at IS NULL AND gave_up_at IS NULL",
                arguments: [now, id])
            return job
        }
    }

    public func purgeFinished(before date: Date) async throws -> [Job] {
        let cutoff = SQLiteRows.seconds(date)
        return try await write { db in
            let jobs = try Row.fetchAll(
                db,
                sql: "SELECT \(SQLiteRows.jobColumns) FROM jobs WHERE state IN ('succeeded','failed','cancelled') AND finished_at < ?",
                arguments: [cutoff]
            ).map(SQLiteRows.job)
            try db.execute(
                sql: "DELETE FROM jobs WHERE state IN ('succeeded','failed','cancelled') AND finished_at < ?", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM batches WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.batch_id = batches.id)")
            try db.execute(sql: "DELETE FROM outbox WHERE (delivered_at IS NOT NULL OR gave_up_at IS NOT NULL) AND created_at < ?", arguments: [cutoff])
            return jobs
        }
    }

    public func inputsInUse(_ inputRefs: [String]) async throws -> Set<String> {
        guard !inputRefs.isEmpty else { return [] }
        var used = Set<String>()
        // SQLite limits the number of bound parameters; ask in chunks.
        for start in stride(from: 0, to: inputRefs.count, by: 500) {
            let chunk = Array(inputRefs[start..<min(start + 500, inputRefs.count)])
            let found = try await read { db in
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT input_ref FROM jobs WHERE input_ref IN (\(chunk.map { _ in "?" }.joined(separator: ",")))",
                    arguments: StatementArguments(chunk))
            }
            used.formUnion(found)
        }
        return used
    }

    /// Moves a job to a terminal state and writes the webhook outbox rows in the same transaction.
    static func finish(_ db: Database, _ job: Job, as state: JobState, result: String?, failure: JobFailure?, now: Double) throws -> Job {
        precondition(state.isTerminal, "finish() is only for terminal states")
        try db.execute(
            sql: """
                UPDATE jobs SET state = ?, result = COALESCE(?, result), failure = ?, lease_owner = NULL, lease_expires_at = NULL,
                    cancel_requested = 0, finished_at = ?, updated_at = ?
                WHERE id = ?
                """,
            arguments: [state.rawValue, result, try SQLiteRows.encode(failure), now, now, job.id])
        if let url = job.webhookURL {
            try db.execute(
                sql: "INSERT INTO outbox (job_id, event, url, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [job.id, "job.\(state.rawValue)", url, now, now])
        }
        if let batchID = job.batchID {
            let open = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM jobs WHERE batch_id = ? AND state IN ('queued','running')", arguments: [batchID]) ?? 0
            if open == 0 {
                try db.execute(sql: "UPDATE batches SET completed_at = ? WHERE id = ? AND completed_at IS NULL", arguments: [now, batchID])
                if db.changesCount > 0,
                    let url = try String.fetchOne(db, sql: "SELECT webhook_url FROM batches WHERE id = ?", arguments: [batchID])
                {
                    try db.execute(
                        sql: "INSERT INTO outbox (batch_id, event, url, next_attempt_at, created_at) VALUES (?, 'batch.completed', ?, ?, ?)",
                        arguments: [batchID, url, now, now])
                }
            }
        }
        return try requireJob(db, id: job.id)
    }
}
