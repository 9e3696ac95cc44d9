/// Why an attempt (or a job) failed, in a form that survives storage and ends up in the API.
///
/// `code` is stable and machine-readable (`bad_input`, `engine_error`, `out_of_memory`,
/// `qc_failed`, `lease_expired`, …); `message` is one plain sentence for people.
/// `retryable` decides whether the queue tries again (with backoff) or stops.
public struct JobFailure: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public var code: String
    public var message: String
    public var retryable: Bool

    public init(code: String, message: String, retryable: Bool) {
        self.code = code
        self.message = message
        self.retryable = retryable
    }

    public var description: String { "\(code): \(message)" }

    /// A worker stopped heartbeating (crash, kill, hang) more often than the job allows.
    public static func leaseExpired(attempts: Int) -> JobFailure {
        JobFailure(code: "lease_expired", message: "The worker running this job stopped responding \(attempts) time(s).", retryable: false)
    }
}
