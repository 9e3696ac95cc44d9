import Foundation
import Jobs

/// Process metrics for `/metrics` (Prometheus text format 0.0.4).
public final class Metrics: Sendable {
    static let stepBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private struct State {
        var stepBucketCounts = [Int](repeating: 0, count: Metrics.stepBuckets.count)
        var stepCount = 0
        var stepSum = 0.0
        var busySeconds = 0.0
        var attempts: [String: Int] = [:]
        var requests: [String: Int] = [:]
        var webhookDeliveries: [String: Int] = [:]
    }

    private let state = Locked(State())
    private let started = Date()
    public let slots: Int

    public init(slots: Int) { self.slots = slots }

    public func observeStep(seconds: Double) {
        state.withLock { s in
            s.stepCount += 1
            s.stepSum += seconds
            for (i, bound) in Self.stepBuckets.enumerated() where seconds <= bound { s.stepBucketCounts[i] += 1 }
        }
    }

    public func addBusy(seconds: Double) { state.withLock { $0.busySeconds += seconds } }
    public func countAttempt(outcome: String) { state.withLock { $0.attempts[outcome, default: 0] += 1 } }
    public func countRequest(status: Int) { state.withLock { $0.requests["\(status / 100)xx", default: 0] += 1 } }
    public func countWebhook(outcome: String) { state.withLock { $0.webhookDeliveries[outcome, default: 0] += 1 } }

    /// Engine busy time over wall time × slots since start, in 0...1.
    public var busyRatio: Double {
        let elapsed = Date().timeIntervalSince(started) * Double(max(slots, 1))
        return elapsed > 0 ? min(1, state.withLock { $0.busySeconds } / elapsed) : 0
    }

    public func render(stats: QueueStats, now: Date = Date()) -> String {
        let s = state.current
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ lines: [String]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for line in lines { out += line + "\n" }
        }
        func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }

        metric("i2v_queue_depth", "gauge", "Jobs waiting to run.", ["i2v_queue_depth \(stats.counts[.queued] ?? 0)"])
        let age = stats.oldestQueuedAt.map { max(0, now.timeIntervalSince($0)) } ?? 0
        metric("i2v_oldest_queued_age_seconds", "gauge", "Age of the oldest queued job.", ["i2v_oldest_queued_age_seconds \(number(age))"])
        metric("i2v_jobs", "gauge", "Jobs by state.", JobState.allCases.map { "i2v_jobs{state=\"\($0.rawValue)\"} \(stats.counts[$0] ?? 0)" })
        var buckets: [String] = []
        for (i, bound) in Self.stepBuckets.enumerated() { buckets.append("i2v_step_seconds_bucket{le=\"\(number(bound))\"} \(s.stepBucketCounts[i])") }
        buckets += ["i2v_step_seconds_bucket{le=\"+Inf\"} \(s.stepCount)", "i2v_step_seconds_sum \(s.stepSum)", "i2v_step_seconds_count \(s.stepCount)"]
        metric("i2v_step_seconds", "histogram", "Duration of one engine step (denoising or render).", buckets)
        metric("i2v_engine_busy_ratio", "gauge", "Share of wall time the engine slots spent running jobs since start.", ["i2v_engine_busy_ratio \(busyRatio)"])
        metric("i2v_worker_slots", "gauge", "Engine slots of this process.", ["i2v_worker_slots \(slots)"])
        metric("i2v_attempts_total", "counter", "Finished attempts by outcome.", s.attempts.keys.sorted().map { "i2v_attempts_total{outcome=\"\($0)\"} \(s.attempts[$0]!)" })
        metric("i2v_http_responses_total", "counter", "HTTP responses by status class.", s.requests.keys.sorted().map { "i2v_http_responses_total{class=\"\($0)\"} \(s.requests[$0]!)" })
        metric("i2v_webhook_deliveries_total", "counter", "Webhook delivery attempts by outcome.", s.webhookDeliveries.keys.sorted().map { "i2v_webhook_deliveries_total{outcome=\"\($0)\"} \(s.webhookDeliveries[$0]!)" })
        metric("i2v_webhooks_pending", "gauge", "Webhook notifications not yet delivered.", ["i2v_webhooks_pending \(stats.pendingWebhooks)"])
        return out
    }
}
