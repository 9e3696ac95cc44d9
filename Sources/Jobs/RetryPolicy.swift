import Foundation

/// Capped exponential backoff with jitter between attempts of a retryable failure.
///
/// delay(n) = min(maxDelay, baseDelay · 2^(n−1)) · (1 − jitter + 2·jitter·u), u ∈ [0, 1)
/// where n is the attempt that just failed (1-based).
public struct RetryPolicy: Sendable, Equatable {
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// Fraction of the delay randomised either way (0 = none, 0.5 = ±50 %).
    public var jitter: Double

    public init(baseDelay: TimeInterval = 2, maxDelay: TimeInterval = 120, jitter: Double = 0.25) {
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(self.baseDelay, maxDelay)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The wait before the attempt after `failedAttempt`; `unit` is a uniform sample in [0, 1).
    public func delay(afterAttempt failedAttempt: Int, unit: Double) -> TimeInterval {
        let exponent = Double(max(0, min(failedAttempt - 1, 30)))
        let capped = min(maxDelay, baseDelay * pow(2, exponent))
        let u = min(max(unit, 0), 1)
        return capped * (1 - jitter + 2 * jitter * u)
    }
}
