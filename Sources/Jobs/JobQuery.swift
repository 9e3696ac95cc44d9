import Foundation

/// A page of the job list, newest first.
public struct JobQuery: Sendable, Equatable {
    public var states: Set<JobState>
    public var batchID: String?
    /// Case-insensitive substring of the title.
    public var titleContains: String?
    public var limit: Int
    /// Opaque cursor from the previous page's `nextCursor`.
    public var cursor: String?

    public init(states: Set<JobState> = [], batchID: String? = nil, titleContains: String? = nil, limit: Int = 50, cursor: String? = nil) {
        self.states = states
        self.batchID = batchID
        self.titleContains = titleContains
        self.limit = min(max(limit, 1), 500)
        self.cursor = cursor
    }
}

public struct JobPage: Sendable, Equatable {
    public var jobs: [Job]
    public var nextCursor: String?
}

/// Numbers for `/metrics` and `/healthz`.
public struct QueueStats: Sendable, Equatable {
    public var counts: [JobState: Int]
    /// Creation time of the oldest job still queued.
    public var oldestQueuedAt: Date?
    public var pendingWebhooks: Int
}
