import Foundation
import Jobs

/// What one attempt of a job gets to work with.
public struct AttemptInput: Sendable {
    public var jobID: String
    public var attempt: Int
    public var request: GenerationRequest
    public var imagePath: URL
    /// Why the previous attempt failed, so the pipeline can re-plan (a new seed, gentler
    /// motion) instead of repeating it.
    public var previousFailure: JobFailure?

    public init(jobID: String, attempt: Int, request: GenerationRequest, imagePath: URL, previousFailure: JobFailure?) {
        self.jobID = jobID
        self.attempt = attempt
        self.request = request
        self.imagePath = imagePath
        self.previousFailure = previousFailure
    }
}

/// Progress a pipeline reports while it runs.
public struct PipelineProgress: Sendable, Equatable {
    public enum Stage: String, Sendable { case planning, generating, decoding, encoding, qc }

    public var stage: Stage
    /// Step within the stage (1-based) and the number of steps, when the stage has steps.
    public var step: Int?
    public var totalSteps: Int?

    public init(stage: Stage, step: Int? = nil, totalSteps: Int? = nil) {
        self.stage = stage
        self.step = step
        self.totalSteps = totalSteps
    }
}

/// The worker's side of a running attempt: cancellation to poll and progress to report.
/// Both are safe to use from the engine thread.
public protocol AttemptControl: Sendable {
    /// True once the attempt should stop (cancel requested, lease lost or shutting down).
    /// Pipelines check it between steps and throw `PipelineError.cancelled`.
    var isCancelled: Bool { get }
    func report(_ progress: PipelineProgress)
}

/// What an attempt produced; its files are already written into the attempt directory.
public struct AttemptOutput: Sendable {
    /// Canonical names of the files written (`video.mp4`, `video.webp`, `video.gif`, `poster.jpg`).
    public var files: [String]
    /// The engine that rendered the frames (`template`, `i2vgen-xl`).
    public var engine: String
    public var seed: UInt32?
    /// The generation plan as the planner made it (written to plan.json).
    public var plan: JSONValue
    /// The quality report (written to qc.json).
    public var qc: JSONValue

    public init(files: [String], engine: String, seed: UInt32?, plan: JSONValue, qc: JSONValue) {
        self.files = files
        self.engine = engine
        self.seed = seed
        self.plan = plan
        self.qc = qc
    }
}

/// Why an attempt failed; decides between retrying and giving up.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    /// The input cannot work (corrupt image, unknown template…): never retried.
    case badInput(String)
    /// The requested engine is not installed or failed to load: never retried.
    case engineUnavailable(String)
    /// The engine failed; retried with backoff.
    case engineFailed(String)
    /// Memory ran out; retried (the pipeline may choose a smaller configuration).
    case outOfMemory(String)
    /// The video failed quality checks; retried with a re-plan.
    case qcFailed(String, report: JSONValue?)
    /// `AttemptControl.isCancelled` became true.
    case cancelled

    public var description: String {
        switch self {
        case .badInput(let why), .engineUnavailable(let why), .engineFailed(let why), .outOfMemory(let why): return why
        case .qcFailed(let why, _): return "Quality check failed: \(why)"
        case .cancelled: return "cancelled"
        }
    }

    public var failure: JobFailure {
        switch self {
        case .badInput(let why): return JobFailure(code: "bad_input", message: why, retryable: false)
        case .engineUnavailable(let why): return JobFailure(code: "engine_unavailable", message: why, retryable: false)
        case .engineFailed(let why): return JobFailure(code: "engine_error", message: why, retryable: true)
        case .outOfMemory(let why): return JobFailure(code: "out_of_memory", message: why, retryable: true)
        case .qcFailed(let why, _): return JobFailure(code: "qc_failed", message: "Quality check failed: \(why)", retryable: true)
        case .cancelled: return JobFailure(code: "cancelled", message: "The job was cancelled.", retryable: false)
        }
    }
}

/// The availability of one engine, for start-up, `/healthz` and the UI.
public struct EngineStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable { case ready, loading, unavailable, failed }
    public var name: String
    public var state: State
    public var detail: String

    public init(name: String, state: State, detail: String) {
        self.name = name
        self.state = state
        self.detail = detail
    }
}

/// Turns one photo into video files: decode, plan, render, encode, check quality.
///
/// `run` is synchronous and CPU/GPU-heavy; the worker calls it on its own engine thread,
/// never on an event loop or the cooperative pool.
public protocol JobPipeline: Sendable {
    func run(_ input: AttemptInput, directory: URL, control: AttemptControl) throws -> AttemptOutput
    /// Engines and their availability now.
    var engines: [EngineStatus] { get }
    /// Loads models in the background after start-up; `engines` reports `loading` meanwhile.
    func prepare() async
}
