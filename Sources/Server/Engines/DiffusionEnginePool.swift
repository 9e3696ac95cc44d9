import Foundation
import Media
import Motion
import TensorCUDA

/// I2VGen-XL on several GPUs (`--devices 0,1,…`): one engine per GPU, each with its own copy of
/// the weights, lent to one job at a time. With as many worker slots as GPUs, jobs run side by
/// side, one per card; a job that finds every GPU busy waits (cancellable). `/healthz` sees one
/// `i2vgen-xl` engine: ready once every GPU has loaded, failed if any could not.
public final class DiffusionEnginePool: VideoEngine, @unchecked Sendable {
    public let engines: [any VideoEngine]
    private let pool: DevicePool<any VideoEngine>

    public init(_ engines: [any VideoEngine]) {
        precondition(!engines.isEmpty, "an engine pool needs at least one engine")
        self.engines = engines
        pool = DevicePool(engines)
    }

    public var name: String { "i2vgen-xl" }

    public var status: EngineStatus {
        let all = engines.map(\.status)
        let detail = all.enumerated().map { "[\($0.offset)] \($0.element.detail)" }.joined(separator: "; ")
        let state: EngineStatus.State
        if all.contains(where: { $0.state == .failed }) { state = .failed }
        else if all.contains(where: { $0.state == .loading }) { state = .loading }
        else if all.allSatisfy({ $0.state == .ready }) { state = .ready }
        else { state = .unavailable }
        return EngineStatus(name: name, state: state, detail: "\(engines.count) GPUs: \(detail)")
    }

    /// Starts every GPU's load at once (each engine loads on its own thread).
    public func prepare() async {
        for engine in engines { await engine.prepare() }
    }

    public func generate(
        plan: GenerationPlan, image: RGBImage, progress: @escaping @Sendable (PipelineProgress.Stage, Int, Int) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) throws -> EngineFrames {
        do {
            return try pool.withResource(isCancelled: isCancelled) { engine, _ in
                try engine.generate(plan: plan, image: image, progress: progress, isCancelled: isCancelled)
            }
        } catch DevicePoolError.cancelled {
            throw PipelineError.cancelled
        }
    }
}
