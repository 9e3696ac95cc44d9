import Foundation

/// A group of jobs submitted together (CSV, JSON list or zip of images).
public struct Batch: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var title: String
    public var webhookURL: String?
    public var itemCount: Int
    public var createdAt: Date
    /// Set once every job of the batch reached a terminal state.
    public var completedAt: Date?
}

public struct NewBatch: Sendable, Equatable {
    public var title: String
    public var webhookURL: String?

    public init(title: String, webhookURL: String? = nil) {
        self.title = title
        self.webhookURL = webhookURL
    }
}

/// Job counts of one batch by state.
public struct BatchSummary: Sendable, Equatable {
    public var batch: Batch
    public var counts: [JobState: Int]

    public var finished: Int { counts.filter { $0.key.isTerminal }.map(\.value).reduce(0, +) }
}
