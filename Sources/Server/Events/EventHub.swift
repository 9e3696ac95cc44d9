import Foundation

/// Fans job events out to the SSE streams watching them.
///
/// `publish` is synchronous and never blocks, so engine threads call it directly. Each
/// subscriber has a bounded buffer that keeps the newest events: a slow client loses
/// intermediate progress, never the final state (the SSE handler re-reads the job at the end).
public final class EventHub: Sendable {
    public enum Signal: Sendable, Equatable {
        case event(JobEvent)
        /// The queue moved (a job was claimed or left the queue): queued positions may have changed.
        case queueMoved
    }

    private struct Subscriber {
        var jobID: String
        var continuation: AsyncStream<Signal>.Continuation
    }

    private let state = Locked<(subscribers: [UUID: Subscriber], closed: Bool)>(([:], false))

    public init() {}

    /// A stream of the job's events, ending when the hub shuts down or the subscription is
    /// cancelled (the consumer's task ends).
    public func subscribe(jobID: String, buffer: Int = 64) -> AsyncStream<Signal> {
        let (stream, continuation) = AsyncStream<Signal>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        let id = UUID()
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.subscribers[id] = Subscriber(jobID: jobID, continuation: continuation)
            return true
        }
        if !accepted { continuation.finish() }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ event: JobEvent) {
        let targets = state.withLock { $0.subscribers.values.filter { $0.jobID == event.jobID }.map(\.continuation) }
        for continuation in targets { continuation.yield(.event(event)) }
    }

    public func queueMoved() {
        let targets = state.withLock { $0.subscribers.values.map(\.continuation) }
        for continuation in targets { continuation.yield(.queueMoved) }
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Ends every stream (graceful shutdown) and refuses new subscriptions.
    public func shutdown() {
        let all = state.withLock { state -> [AsyncStream<Signal>.Continuation] in
            state.closed = true
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in all { continuation.finish() }
    }
}
