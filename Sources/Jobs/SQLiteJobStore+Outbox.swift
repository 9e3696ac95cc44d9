import Foundation
import GRDB

extension SQLiteJobStore {
    public func dueOutboxMessages(limit: Int) async throws -> [OutboxMessage] {
        let now = now()
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM outbox WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [now, max(1, limit)]
            ).map(SQLiteRows.outbox)
        }
    }

    public func markOutboxDelivered(id: Int64) async throws {
        let now = now()
        try await write { db in
            try db.execute(sql: "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?", arguments: [now, id])
        }
    }

    public func markOutboxFailed(id: Int64, error: String, retryAt: Date?) async throws {
        let now = now()
        try await write { db in
            if let retryAt {
                try db.execute(
                    sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                    arguments: [error, SQLiteRows.seconds(retryAt), id])
            } else {
                try db.execute(
                    sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, gave_up_at = ? WHERE id = ?",
                    arguments: [error, now, id])
            }
        }
    }
}
