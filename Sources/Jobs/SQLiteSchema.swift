import GRDB

/// Migrations of the embedded job database. Append new migrations; never edit shipped ones.
enum SQLiteSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-jobs-batches-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE batches (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT NOT NULL,
                    webhook_url TEXT,
                    item_count INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    completed_at REAL
                );
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY NOT NULL,
                    seq INTEGER NOT NULL UNIQUE,
                    batch_id TEXT REFERENCES batches(id) ON DELETE SET NULL,
                    state TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
                    priority INTEGER NOT NULL,
                    idempotency_key TEXT UNIQUE,
                    title TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    input_ref TEXT NOT NULL,
                    webhook_url TEXT,
                    attempt INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at REAL,
                    run_after REAL NOT NULL,
                    cancel_requested INTEGER NOT NULL DEFAULT 0,
                    progress TEXT,
                    result TEXT,
                    failure TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL
                );
                CREATE INDEX jobs_claim ON jobs(state, priority DESC, seq);
                CREATE INDEX jobs_batch ON jobs(batch_id, seq);
                CREATE INDEX jobs_lease ON jobs(state, lease_expires_at);
                CREATE INDEX jobs_finished ON jobs(finished_at);
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id TEXT,
                    batch_id TEXT,
                    event TEXT NOT NULL,
                    url TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    created_at REAL NOT NULL,
                    delivered_at REAL,
                    gave_up_at REAL,
                    last_error TEXT
                );
                CREATE INDEX outbox_due ON outbox(delivered_at, gave_up_at, next_attempt_at);
                """)
        }
        migrator.registerMigration("v2-jobs-input-ref-index") { db in
            // Retention asks which stored inputs are still referenced.
            try db.execute(sql: "CREATE INDEX jobs_input_ref ON jobs(input_ref)")
        }
        return migrator
    }
}
