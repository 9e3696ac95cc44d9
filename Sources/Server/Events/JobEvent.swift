import Foundation

/// One progress notification of a job, as streamed over SSE (`event: <name>`, `data: <json>`).
///
/// Names: `queued` (position), `running` (attempt), `progress` (stage, step k/n, ETA),
/// `retrying` (reason, at), `succeeded`, `failed` (reason), `cancelled`. Stages inside
/// `progress`: planning, generating, decoding, encoding, qc, committing.
public struct JobEvent: Sendable, Equatable {
    public var jobID: String
    public var name: String
    public var data: JSONValue

    public init(jobID: String, name: String, data: JSONValue) {
        self.jobID = jobID
        self.name = name
        self.data = data
    }

    public var isTerminal: Bool { ["succeeded", "failed", "cancelled", "deleted"].contains(name) }
}
