import Foundation
import GRDB

/// Conversions between rows and values. Times are stored as Unix seconds (REAL) so that
/// comparisons in SQL are plain numeric comparisons.
enum SQLiteRows {
    static let jobColumns = """
        id, seq, batch_id, state, priority, idempotency_key, title, payload, input_ref, webhook_url,
        attempt, max_attempts, lease_owner, lease_expires_at, run_after, cancel_requested, progress,
        result, failure, created_at, updated_at, started_at, finished_at
        """

    static func date(_ value: Double?) -> Date? { value.map { Date(timeIntervalSince1970: $0) } }
    static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }

    static func job(_ row: Row) throws -> Job {
        let id: String = row["id"]
        let stateText: String = row["state"]
        guard let state = JobState(rawValue: stateText) else {
            throw JobStoreError.storage("job \(id) has unknown state '\(stateText)'")
        }
        return Job(
            id: id,
            batchID: row["batch_id"],
            state: state,
            priority: row["priority"],
            idempotencyKey: row["idempotency_key"],
            title: row["title"],
            payload: row["payload"],
            inputRef: row["input_ref"],
            webhookURL: row["webhook_url"],
            attempt: row["attempt"],
            maxAttempts: row["max_attempts"],
            leaseOwner: row["lease_owner"],
            leaseExpiresAt: date(row["lease_expires_at"]),
            runAfter: Date(timeIntervalSince1970: row["run_after"]),
            cancelRequested: row["cancel_requested"],
            progress: try decode(JobProgress.self, row["progress"], job: id, column: "progress"),
            result: row["result"],
            failure: try decode(JobFailure.self, row["failure"], job: id, column: "failure"),
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
            startedAt: date(row["started_at"]),
            finishedAt: date(row["finished_at"])
        )
    }

    static func batch(_ row: Row) -> Batch {
        Batch(
            id: row["id"],
            title: row["title"],
            webhookURL: row["webhook_url"],
            itemCount: row["item_count"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            completedAt: date(row["completed_at"])
        )
    }

    static func outbox(_ row: Row) -> OutboxMessage {
        let jobID: String? = row["job_id"]
        let batchID: String? = row["batch_id"]
        return OutboxMessage(
            id: row["id"],
            subject: jobID.map { .job($0) } ?? .batch(batchID ?? ""),
            event: row["event"],
            url: row["url"],
            attempts: row["attempts"],
            nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]),
            createdAt: Date(timeIntervalSince1970: row["created_at"])
        )
    }

    static func encode<T: Encodable>(_ value: T?) throws -> String? {
        guard let value else { return nil }
        let data = try JSONEncoder().encode(value)
        return String(decoding: data, as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String?, job: String, column: String) throws -> T? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw JobStoreError.storage("job \(job) has an unreadable \(column) column: \(error)")
        }
    }
}
