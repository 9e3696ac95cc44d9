import Foundation

/// Wakes idle worker slots when work arrives, instead of waiting for the next poll.
public final class Doorbell: Sendable {
    private let waiters = Locked<(rung: Bool, continuations: [UUID: CheckedContinuation<Void, Never>])>((false, [:]))

    public init() {}

    public func ring() {
        let all = waiters.withLock { state -> [CheckedContinuation<Void, Never>] in
            let list = Array(state.continuations.values)
            state.continuations.removeAll()
            if list.isEmpty { state.rung = true }
            return list
        }
        for continuation in all { continuation.resume() }
    }

    /// Returns after a ring (also one that came since the last wait) or after `timeout` seconds.
    public func wait(timeout: TimeInterval) async {
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = waiters.withLock { state -> Bool in
                if state.rung {
                    state.rung = false
                    return true
                }
                state.continuations[id] = continuation
                return false
            }
            if resumeNow {
                continuation.resume()
                return
            }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(max(0, timeout) * 1e9))
                if let continuation = self.waiters.withLock({ $0.continuations.removeValue(forKey: id) }) { continuation.resume() }
            }
        }
    }
}
