import Foundation

/// Micro-benchmarks of the backend's heavy ops at the shapes I2VGen-XL uses, run by
/// `i2v bench ops` beside `scripts/bench_reference.py ops` (PyTorch) in `scripts/bench_ops.sh`.
/// Inputs are random (never zeros), timings are the median of repeated runs after a warm-up.
public enum OpsBenchmark {
    public struct Result: Sendable {
        public let name: String
        public let milliseconds: Double
        /// Floating-point operations per run (for GFLOP/s), 0 where not meaningful.
        public let flops: Double
        public var gflops: Double { flops > 0 ? flops / (milliseconds * 1e6) : 0 }
    }

    public static let caseNames = ["gemm2048", "gemm4096", "conv320", "conv640", "attention4096"]

    /// Runs one named case on `backend`.
    public static func run(_ name: String, backend: any Backend, repeats: Int = 5) throws -> Result {
        switch name {
        case "gemm2048": return gemm(backend, n: 2048, repeats: repeats)
        case "gemm4096": return gemm(backend, n: 4096, repeats: max(2, repeats / 2))
        case "conv320": return conv(backend, channels: 320, size: 64, repeats: repeats)
        case "conv640": return conv(backend, channels: 640, size: 32, repeats: repeats)
        case "attention4096": return attention(backend, repeats: repeats)
        default:
            throw BenchmarkError.unknownCase(name, known: caseNames)
        }
    }

    static func gemm(_ b: any Backend, n: Int, repeats: Int) -> Result {
        let x = randomTensor(b, [1, n, n], seed: 1), y = randomTensor(b, [1, n, n], seed: 2)
        let ms = median(repeats) { _ = b.matmul(x, y, transposeB: false) }
        return Result(name: "sgemm \(n)³", milliseconds: ms, flops: 2 * pow(Double(n), 3))
    }

    static func conv(_ b: any Backend, channels c: Int, size s: Int, repeats: Int) -> Result {
        let x = randomTensor(b, [1, c, s, s], seed: 3), w = randomTensor(b, [c, c, 3, 3], seed: 4), bias = randomTensor(b, [c], seed: 5)
        let ms = median(repeats) { _ = b.conv2d(x, weight: w, bias: bias, stride: 1, padding: .same(1)) }
        return Result(name: "conv2d 3×3, \(c) ch, \(s)×\(s)", milliseconds: ms, flops: 2 * Double(c * c * 9 * s * s))
    }

    static func attention(_ b: any Backend, repeats: Int) -> Result {
        let (heads, l, d) = (5, 4096, 64)
        let q = randomTensor(b, [1, l, heads * d], seed: 6), k = randomTensor(b, [1, l, heads * d], seed: 7)
        let v = randomTensor(b, [1, l, heads * d], seed: 8)
        let ms = median(repeats) { _ = b.attention(q, k, v, heads: heads, scale: 1 / Float(d).squareRoot(), causal: false) }
        return Result(name: "attention 5 heads × 4096 × 64", milliseconds: ms, flops: 4 * Double(heads * l * l * d))
    }

    /// Median wall time in milliseconds of `repeats` runs after one warm-up run.
    public static func median(_ repeats: Int, _ body: () -> Void) -> Double {
        body()
        var times = [Double]()
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    /// Uniform values in [-1, 1) from a fixed seed.
    public static func randomTensor(_ b: any Backend, _ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var s = seed &* 0x9E3779B97F4A7C15 | 1
        let values = (0..<shape.reduce(1, *)).map { _ -> Float in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            return (Float(s >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
        return b.tensor(values, shape: shape)
    }

    /// Peak resident set size of this process so far, in bytes (Linux `VmHWM`), or nil.
    public static func peakRSSBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
            return kb.map { $0 * 1024 }
        }
        return nil
    }
}

public enum BenchmarkError: Error, CustomStringConvertible {
    case unknownCase(String, known: [String])
    public var description: String {
        switch self {
        case .unknownCase(let n, let known): return "unknown benchmark case '\(n)' (known: \(known.joined(separator: ", ")))"
        }
    }
}
