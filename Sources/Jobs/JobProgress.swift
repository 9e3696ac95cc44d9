/// What a running (or queued) job is doing right now, as the worker last reported it.
public struct JobProgress: Codable, Sendable, Equatable {
    /// Pipeline stage, e.g. `planning`, `generating`, `decoding`, `encoding`, `qc`.
    public var stage: String
    /// Overall completion in 0...1.
    public var fraction: Double
    /// Current denoising / render step (1-based) and the number of steps, when generating.
    public var step: Int?
    public var totalSteps: Int?
    /// Estimated seconds until the attempt finishes, when known.
    public var etaSeconds: Double?

    public init(stage: String, fraction: Double, step: Int? = nil, totalSteps: Int? = nil, etaSeconds: Double? = nil) {
        self.stage = stage
        self.fraction = min(max(fraction, 0), 1)
        self.step = step
        self.totalSteps = totalSteps
        self.etaSeconds = etaSeconds
    }
}
