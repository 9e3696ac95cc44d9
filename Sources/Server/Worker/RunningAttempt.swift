import Foundation
import Jobs

/// The live state of one attempt, shared by the engine thread (progress, cancellation checks),
/// the heartbeat task and the API (cancel requests).
final class RunningAttempt: AttemptControl, @unchecked Sendable {
    enum StopReason: Sendable, Equatable { case cancelRequested, leaseLost, shutdown }

    private struct State {
        var stop: StopReason?
        var progress = JobProgress(stage: "starting", fraction: 0)
        /// The last generating step reported, and the first (the ETA baseline).
        var lastStep: (step: Int, at: Date)?
        var firstStep: (step: Int, at: Date)?
    }

    let lease: Lease
    let startedAt = Date()
    private let state = Locked(State())
    private let onProgress: @Sendable (JobProgress) -> Void
    private let onStep: @Sendable (Double) -> Void

    init(lease: Lease, onProgress: @escaping @Sendable (JobProgress) -> Void, onStep: @escaping @Sendable (Double) -> Void) {
        self.lease = lease
        self.onProgress = onProgress
        self.onStep = onStep
    }

    var isCancelled: Bool { state.withLock { $0.stop != nil } }
    var stopReason: StopReason? { state.withLock { $0.stop } }
    var progress: JobProgress { state.withLock { $0.progress } }

    /// The first reason wins: a lost lease stays lost even if a cancel arrives afterwards.
    func stop(_ reason: StopReason) { state.withLock { if $0.stop == nil { $0.stop = reason } } }

    /// Maps pipeline stages onto one 0…1 scale: generating is most of the work.
    static func fraction(_ p: PipelineProgress) -> Double {
        let within = p.totalSteps.map { total in Double(p.step ?? 0) / Double(max(total, 1)) } ?? 0
        switch p.stage {
        case .planning: return 0.02
        case .generating: return 0.05 + 0.8 * within
        case .decoding: return 0.85 + 0.04 * within
        case .encoding: return 0.89 + 0.06 * within
        case .qc: return 0.96
        }
    }

    func report(_ p: PipelineProgress) {
        let now = Date()
        let (progress, stepSeconds) = state.withLock { s -> (JobProgress, Double?) in
            var stepSeconds: Double?
            var eta: Double?
            if p.stage == .generating, let step = p.step, let total = p.totalSteps, step > 0 {
                if let last = s.lastStep, step > last.step { stepSeconds = now.timeIntervalSince(last.at) / Double(step - last.step) }
                if s.firstStep == nil { s.firstStep = (step, now) }
                if let first = s.firstStep, step > first.step {
                    let perStep = now.timeIntervalSince(first.at) / Double(step - first.step)
                    // Decoding, encoding and QC take roughly a quarter of the generating time.
                    eta = perStep * Double(max(0, total - step)) + perStep * Double(total) * 0.25
                }
                s.lastStep = (step, now)
            }
            s.progress = JobProgress(stage: p.stage.rawValue, fraction: Self.fraction(p), step: p.step, totalSteps: p.totalSteps, etaSeconds: eta)
            return (s.progress, stepSeconds)
        }
        if let stepSeconds { onStep(stepSeconds) }
        onProgress(progress)
    }
}
