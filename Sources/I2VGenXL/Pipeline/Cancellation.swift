import Foundation

/// A flag another thread sets to stop a running pipeline. The pipeline checks it between
/// denoising steps and between VAE decode chunks, and then throws `PipelineError.cancelled`.
/// Swift task cancellation is honoured at the same points.
public final class CancellationToken: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false

    public init() {}

    public func cancel() {
        lock.lock()
        flag = true
        lock.unlock()
    }

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag || Task.isCancelled
    }
}
