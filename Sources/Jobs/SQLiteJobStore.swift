import Foundation
import GRDB

/// The embedded job store: one SQLite file in WAL mode, written through GRDB.
///
/// All writes run in IMMEDIATE transactions on GRDB's single writer, so claims can never
/// interleave; every lease-carrying write re-checks `state = 'running' AND attempt = ?`.
/// Time and randomness are injected so tests control lease expiry and backoff jitter.
public final class SQLiteJobStore: JobStore {
    let pool: DatabasePool
    let clock: @Sendable () -> Date
    let unitRandom: @Sendable () -> Double

    /// Opens (creating and migrating when needed) the database at `path`.
    public init(
        path: String,
        clock: @escaping @Sendable () -> Date = { Date() },
        unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws {
        var configuration = Configuration()
        // Another process (e.g. `i2v batch` beside `i2v serve`) may hold the write lock briefly.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator().migrate(pool)
        } catch {
            throw JobStoreError.storage("cannot open \(path): \(error)")
        }
        self.clock = clock
        self.unitRandom = unitRandom
    }

    func now() -> Double { SQLiteRows.seconds(clock()) }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as JobStoreError {
            throw error
        } catch let error as DatabaseError {
            throw JobStoreError.storage(error.description)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as JobStoreError {
            throw error
        } catch let error as DatabaseError {
            throw JobStoreError.storage(error.description)
        }
    }

    static func fetchJob(_ db: Database, id: String) throws -> Job? {
        try Row.fetchOne(db, sql: "SELECT \(SQLiteRows.jobColumns) FROM jobs WHERE id = ?", arguments: [id]).map(SQLiteRows.job)
    }

    static func requireJob(_ db: Database, id: String) throws -> Job {
        guard let job = try fetchJob(db, id: id) else { throw JobStoreError.notFound(id) }
        return job
    }

    // MARK: - Reading

    public func job(id: String) async throws -> Job? {
        try await read { db in try Self.fetchJob(db, id: id) }
    }

    public func jobs(_ query: JobQuery) async throws -> JobPage {
        try await read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if !query.states.isEmpty {
                let states = query.states.map(\.rawValue).sorted()
                clauses.append("state IN (\(states.map { _ in "?" }.joined(separator: ",")))")
                for state in states { arguments += [state] }
            }
            if let batchID = query.batchID {
                clauses.append("batch_id = ?")
                arguments += [batchID]
            }
            if let text = query.titleContains, !text.isEmpty {
                clauses.append("instr(lower(title), lower(?)) > 0")
                arguments += [text]
            }
            if let cursor = query.cursor {
                guard let seq = Int64(cursor) else { throw JobStoreError.invalid("cursor '\(cursor)' is not one this server issued") }
                clauses.append("seq < ?")
                arguments += [seq]
            }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [query.limit + 1]
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(SQLiteRows.jobColumns) FROM jobs \(whereSQL) ORDER BY seq DESC LIMIT ?", arguments: arguments)
            let page = Array(rows.prefix(query.limit))
            let next: String? = rows.count > query.limit ? page.last.map { String($0["seq"] as Int64) } : nil
            return JobPage(jobs: try page.map(SQLiteRows.job), nextCursor: next)
        }
    }

    public func queuePosition(of id: String) async throws -> Int? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state, priority, seq FROM jobs WHERE id = ?", arguments: [id]),
                (row["state"] as String) == JobState.queued.rawValue
            else { return nil }
            let priority: Int = row["priority"]
            let seq: Int64 = row["seq"]
            let ahead = try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND (priority > ? OR (priority = ? AND seq < ?))",
                arguments: [priority, priority, seq]) ?? 0
            return ahead + 1
        }
    }

    public func batch(id: String) async throws -> BatchSummary? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batches WHERE id = ?", arguments: [id]) else { return nil }
            var counts: [JobState: Int] = [:]
            for count in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs WHERE batch_id = ? GROUP BY state", arguments: [id]) {
                if let state = JobState(rawValue: count["state"]) { counts[state] = count["n"] }
            }
            return BatchSummary(batch: SQLiteRows.batch(row), counts: counts)
        }
    }

    public func stats() async throws -> QueueStats {
        try await read { db in
            var counts: [JobState: Int] = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                if let state = JobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            let oldest = try Double.fetchOne(db, sql: "SELECT MIN(created_at) FROM jobs WHERE state = 'queued'")
            let pending = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND gave_up_at IS NULL") ?? 0
            return QueueStats(counts: counts, oldestQueuedAt: SQLiteRows.date(oldest), pendingWebhooks: pending)
        }
    }
}
