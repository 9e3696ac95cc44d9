import Foundation

/// A webhook notification waiting to be delivered.
///
/// The store writes an outbox row in the same transaction as the state change it announces,
/// so a notification is never lost to a crash between "job finished" and "webhook sent"
/// (delivery is at-least-once; receivers de-duplicate on `id`).
public struct OutboxMessage: Sendable, Equatable, Identifiable {
    public enum Subject: Sendable, Equatable {
        case job(String)
        case batch(String)
    }

    public var id: Int64
    public var subject: Subject
    /// `job.succeeded`, `job.failed`, `job.cancelled` or `batch.completed`.
    public var event: String
    public var url: String
    public var attempts: Int
    public var nextAttemptAt: Date
    public var createdAt: Date
}
