import Foundation
import Tensor

/// Prints a `ProfilingBackend`'s table (`i2v bench unet --profile`, `i2v bench vae --profile`):
/// time per op kind, then the 60 largest op × shape entries.
enum BenchProfile {
    static func print(_ p: ProfilingBackend) {
        let total = p.table.reduce(0) { $0 + $1.seconds }
        Swift.print(String(format: "profile_total_s\t%.2f", total))
        for e in p.byOp {
            Swift.print("profile_op\t\(e.op)\t" + String(format: "%.2f s\t%.1f %%\t%.1f GFLOP/s", e.seconds, 100 * e.seconds / max(total, 1e-9),
                                                              e.flops > 0 ? e.flops / e.seconds / 1e9 : 0))
        }
        for e in p.table.prefix(60) {
            Swift.print(String(format: "profile\t%.3f s\t%.1f %%\t%d calls\t%.1f GFLOP/s\t", e.seconds, 100 * e.seconds / max(total, 1e-9),
                               e.calls, e.flops > 0 ? e.flops / e.seconds / 1e9 : 0) + e.key)
        }
    }
}
