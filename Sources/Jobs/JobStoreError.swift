/// Errors of a `JobStore`; each describes itself in one sentence naming the job.
public enum JobStoreError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    /// The job's state does not allow the action (e.g. cancelling a finished job).
    case conflict(id: String, state: JobState, action: String)
    /// A worker wrote with an attempt that is no longer the job's current lease.
    case leaseLost(id: String, attempt: Int)
    case invalid(String)
    case storage(String)

    public var description: String {
        switch self {
        case .notFound(let id): return "job or batch \(id) does not exist"
        case .conflict(let id, let state, let action): return "cannot \(action) job \(id): it is \(state.rawValue)"
        case .leaseLost(let id, let attempt): return "attempt \(attempt) of job \(id) no longer holds the lease"
        case .invalid(let why): return why
        case .storage(let why): return "job store: \(why)"
        }
    }
}
