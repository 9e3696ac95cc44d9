import Dispatch

/// Splits `0..<count` into at most `threads` contiguous ranges and runs them concurrently.
/// Work smaller than `grain` items runs on the calling thread.
@inline(__always)
func parallelRanges(_ count: Int, threads: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let parts = min(threads, max(1, count / max(grain, 1)))
    if parts <= 1 { body(0..<count); return }
    let chunk = (count + parts - 1) / parts
    DispatchQueue.concurrentPerform(iterations: parts) { p in
        let lo = p * chunk
        let hi = min(count, lo + chunk)
        if lo < hi { body(lo..<hi) }
    }
}
