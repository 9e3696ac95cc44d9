import Tensor

// The feed-forward's GEGLU projection as one Hopper kernel (HopperGEMMKernels.swift): the
// [rows, 2·inner] product stays in registers, and the epilogue writes value · GELU(gate).
extension CUDABackend {
    /// Largest [rows, 2·inner] product the cuBLAS + GEGLU-pass candidate may allocate while the
    /// paths are timed; above it only the fused kernels run (the caching allocator would keep
    /// the block, and the feed-forward's token chunks are sized for the fused width).
    static let composedGEGLUCandidateBytes = 1 << 30

    /// On Hopper with half storage, where a compiled variant holds the weights (K ≤ 320: the
    /// UNet's outer level; K = 640 and 1280 keep cuBLAS and the GEGLU pass, which measured faster
    /// than a 64-column variant at K = 640: 0.42 against 0.57–0.61 ms at [32768, 640] → 2560).
    public func fusesLinearGEGLU(inFeatures: Int, inner: Int) -> Bool {
        tuning.fusedGEGLU && ctx.arch == 90 && precision != .float32
            && GEGLUVariant.compiled.contains { $0.applies(inFeatures: inFeatures, inner: inner) }
    }

    public func linearGEGLU(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let inF = weight.shape[1], inner = weight.shape[0] / 2
        precondition(weight.rank == 2 && weight.shape[0] % 2 == 0 && x.dim(-1) == inF && (bias.map { $0.count == 2 * inner } ?? true),
                     "linearGEGLU: input \(x.shape), weight \(weight.shape), bias \(bias?.shape ?? [])")
        let rows = x.count / max(inF, 1)
        guard rows > 0, fusesLinearGEGLU(inFeatures: inF, inner: inner), vectorizable(8, x, weight) else {
            return geglu(linear(x, weight: weight, bias: bias))
        }
        let out = empty(Array(x.shape.dropLast()) + [inner])
        let composed = { () -> Bool in self.geglu(self.linear(x, weight: weight, bias: bias), into: out); return true }
        let launch = { (v: GEGLUVariant) -> Bool in
            self.runBlocks(v.kernelName, grid: self.ctx.multiprocessors, block: 256, sharedBytes: v.sharedBytes(inFeatures: inF), module: .hopper,
                           [.ptr(self.addr(x)), .ptr(self.addr(weight)), .ptr(bias.map { self.addr($0) } ?? 0),
                            .ptr(self.addr(out)), .i32(rows), .i32(inner), .i32(inF)])
            return true
        }
        let variants = GEGLUVariant.compiled.filter { $0.applies(inFeatures: inF, inner: inner) }
        if let forced = tuning.gegluForce {
            _ = variants.contains(forced) ? launch(forced) : composed()
            return out
        }
        var paths = variants.map { v in { launch(v) } }
        if rows * 2 * inner * elementSize <= Self.composedGEGLUCandidateBytes { paths.append(composed) }
        fastestOf(GEGLUChoice(rows: rows, inFeatures: inF, inner: inner), paths)
        return out
    }
}

/// A GEGLU projection shape whose paths (fused variants, cuBLAS + GEGLU) `CUDABackend.fastestOf` timed.
struct GEGLUChoice: Hashable {
    let rows: Int, inFeatures: Int, inner: Int
}

/// One compiled shape of the fused GEGLU projection (`ff_geglu_ws`): a persistent block per SM
/// holding `columns` value and `columns` gate rows of the weights for all K, 64 rows per
/// warpgroup streaming past in `stages` slots of 64 channels.
public struct GEGLUVariant: Sendable, Equatable, CustomStringConvertible {
    public let columns: Int
    public let stages: Int
    var kernelName: String { "ff_geglu_ws_n\(columns)_s\(stages)" }
    public var description: String { kernelName }

    /// The weights (K/64 slices of 2·columns rows of 128 bytes), each warpgroup's slots of 64
    /// rows, the 2·columns biases as floats, and the 1024-byte alignment slack.
    func sharedBytes(inFeatures k: Int) -> Int { k / 64 * 2 * columns * 128 + 2 * stages * 64 * 128 + 2 * columns * 4 + 1024 }

    /// Whether this variant takes a projection of these widths: the weights must fit beside the
    /// slots in the 227 KiB of shared memory a Hopper block may have.
    func applies(inFeatures k: Int, inner: Int) -> Bool {
        k % 64 == 0 && inner % columns == 0 && sharedBytes(inFeatures: k) <= 227 * 1024
    }

    /// The variants compiled into the Hopper module (FF_GEGLU_WS_ENTRY lines): 128 columns, K ≤ 320.
    public static let compiled = [GEGLUVariant(columns: 128, stages: 4)]
}
