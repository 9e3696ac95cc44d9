/// The life cycle of a job.
///
/// ```
/// queued ──claim──▶ running ──▶ succeeded
///   │  ▲              │  │  └──▶ failed      (non-retryable, or attempts used up)
///   │  └──retry/lease─┘  └────▶ cancelled   (cancel acknowledged between steps)
///   └──cancel──────────────────▶ cancelled
/// failed, cancelled ──manual retry──▶ queued
/// ```
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    /// Terminal states never change again on their own; only a manual retry re-queues
    /// `failed` and `cancelled` jobs.
    public var isTerminal: Bool {
        switch self {
        case .queued, .running: return false
        case .succeeded, .failed, .cancelled: return true
        }
    }

    /// Whether the state machine allows moving from `self` to `next`.
    public func canTransition(to next: JobState) -> Bool {
        switch (self, next) {
        case (.queued, .running), (.queued, .cancelled):
            return true
        case (.running, .succeeded), (.running, .failed), (.running, .cancelled), (.running, .queued):
            return true
        case (.failed, .queued), (.cancelled, .queued):
            return true
        default:
            return false
        }
    }
}
