import Foundation

/// GPU time per kernel, for finding where a UNet step goes (`i2v-device bench --profile`).
/// While attached to a context, every launch and every cuBLAS call is bracketed by a pair of CUDA
/// events; `report()` waits for the GPU and sums the elapsed times by name. cuBLAS calls are named
/// by the backend op that issued them ("gemm ← conv2d"), with their FLOPs, so the table shows the
/// tensor-core rate per op. Events add a little time per launch: use it on an untimed run.
final class CUDAProfiler {
    struct Entry { var name: String; var flops: Double; var start: OpaquePointer?; var stop: OpaquePointer? }
    public struct Row: Sendable {
        public let name: String
        public let calls: Int
        public let milliseconds: Double
        public let flops: Double
    }

    private let driver: CUDADriver
    private var pending: [Entry] = []
    private var pool: [OpaquePointer?] = []
    private var totals: [String: (calls: Int, ms: Double, flops: Double)] = [:]

    init(driver: CUDADriver) { self.driver = driver }

    private func event() throws -> OpaquePointer? {
        if let e = pool.popLast() { return e }
        var e: OpaquePointer?
        try driver.check(driver.cuEventCreate(&e, 0), "cuEventCreate")
        return e
    }

    /// Records the start event of a launch named `name`; returns its index for `end`.
    func begin(_ name: String, flops: Double = 0) throws -> Int {
        // Drain before adding: every pending entry has both events recorded by now.
        if pending.count >= 4096 { try drain() }
        let start = try event(), stop = try event()
        try driver.check(driver.cuEventRecord(start, nil), "cuEventRecord")
        pending.append(Entry(name: name, flops: flops, start: start, stop: stop))
        return pending.count - 1
    }

    func end(_ index: Int) throws {
        guard index < pending.count else { return }
        try driver.check(driver.cuEventRecord(pending[index].stop, nil), "cuEventRecord")
    }

    /// Waits for recorded events and adds their times to the totals.
    private func drain() throws {
        guard let last = pending.last else { return }
        try driver.check(driver.cuEventSynchronize(last.stop), "cuEventSynchronize")
        for e in pending {
            var ms: Float = 0
            try driver.check(driver.cuEventElapsedTime(&ms, e.start, e.stop), "cuEventElapsedTime(\(e.name))")
            var t = totals[e.name] ?? (0, 0, 0)
            t.calls += 1; t.ms += Double(ms); t.flops += e.flops
            totals[e.name] = t
            pool.append(e.start); pool.append(e.stop)
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Totals since the last reset, slowest first; resets them.
    func report() throws -> [Row] {
        try drain()
        let rows = totals.map { Row(name: $0.key, calls: $0.value.calls, milliseconds: $0.value.ms, flops: $0.value.flops) }
        totals.removeAll()
        return rows.sorted { $0.milliseconds > $1.milliseconds }
    }

    deinit { for e in pool { _ = driver.cuEventDestroy(e) } }
}
