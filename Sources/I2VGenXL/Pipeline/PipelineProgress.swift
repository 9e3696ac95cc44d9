import Foundation

/// A progress report of a pipeline run, emitted after every denoising step and every decoded
/// VAE chunk.
public struct PipelineProgress: Sendable, Equatable {
    public enum Stage: String, Sendable { case denoising, decoding }

    public let stage: Stage
    /// Completed units of this stage (1-based after the first step/chunk).
    public let step: Int
    public let total: Int
    /// Seconds since the run started.
    public let elapsed: Double
    /// Projected seconds until this stage finishes: its remaining units at the mean time per unit
    /// so far. (During denoising the decode is not included: its cost is unknown until it starts;
    /// it is typically one to two steps' worth.)
    public let eta: Double

    public init(stage: Stage, step: Int, total: Int, elapsed: Double, eta: Double) {
        self.stage = stage
        self.step = step
        self.total = total
        self.elapsed = elapsed
        self.eta = eta
    }
}

/// Tracks stage timings and turns them into `PipelineProgress` events.
struct ProgressClock {
    private let start: UInt64 = DispatchTime.now().uptimeNanoseconds
    private var stageStart: UInt64 = DispatchTime.now().uptimeNanoseconds
    private var decodeChunks = 0

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    private var stageElapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - stageStart) / 1e9 }

    mutating func beginStage(decodeChunks: Int = 0) {
        stageStart = DispatchTime.now().uptimeNanoseconds
        self.decodeChunks = decodeChunks
    }

    /// Event after `done` of `total` units of `stage`.
    func event(_ stage: PipelineProgress.Stage, done: Int, total: Int) -> PipelineProgress {
        let perUnit = done > 0 ? stageElapsed / Double(done) : 0
        let eta = perUnit * Double(max(0, total - done))
        return PipelineProgress(stage: stage, step: done, total: total, elapsed: elapsed, eta: eta)
    }
}
