import Foundation

/// A dedicated OS thread that runs engine work, one closure at a time.
///
/// Engines keep per-thread state (BLAS thread pools, a CUDA context) and run for seconds to
/// minutes; they must stay off NIO's event loops and Swift's cooperative pool. Callers await
/// the result without blocking anything.
public final class EngineThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [() -> Void] = []
    private var stopped = false
    private var thread: Thread?

    public init(name: String, stackSize: Int = 16 << 20) {
        // The thread keeps `self` alive until `stop()` lets the loop end.
        let thread = Thread { self.loop() }
        thread.name = name
        thread.stackSize = stackSize
        self.thread = thread
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty && !stopped { condition.wait() }
            if work.isEmpty && stopped {
                condition.unlock()
                return
            }
            let next = work.removeFirst()
            condition.unlock()
            next()
        }
    }

    /// Runs `body` on the thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            guard !stopped else {
                condition.unlock()
                continuation.resume(throwing: CancellationError())
                return
            }
            work.append { continuation.resume(with: Result { try body() }) }
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets queued work finish, then ends the thread.
    public func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }
}
