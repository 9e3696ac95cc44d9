import Tensor

// The feed-forward's GEGLU projection as one Hopper kernel (HopperGEMMKernels.swift): the
// [rows, 2·inner] product stays in registers, and the epilogue writes value · GELU(gate).
extension CUDABackend {
    /// Largest [rows, 2·inner] product the cuBLAS + GEGLU-pass candidate may allocate while the
    /// paths are timed; above it only the fused kernels run (the caching allocator would keep
    /// the block, and the feed-forward's token chunks are sized for the fused width).
    static let composedGEGLUCandidateBytes = 1 << 30

    /// On Hopper with half storage, for K and inner multiples of 64 (every UNet feed-forward).
    public func fusesLinearGEGLU(inFeatures: Int, inner: Int) -> Bool {
        tuning.fusedGEGLU && ctx.arch == 90 && precision != .float32 && inFeatures % 64 == 0 && inner % 64 == 0
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
        let launch = { (v: GEGLUVariant) -> Bool in
            let grid = v.resident ? self.ctx.multiprocessors : (rows + 127) / 128 * (inner / v.columns)
            self.runBlocks(v.kernelName, grid: grid, block: 256, sharedBytes: v.sharedBytes(inFeatures: inF), module: .hopper,
                           [.ptr(self.addr(x)), .ptr(self.addr(weight)), .ptr(bias.map { self.addr($0) } ?? 0),
                            .ptr(self.addr(out)), .i32(rows), .i32(inner), .i32(inF)])
            return true
        }
        let variants = GEGLUVariant.compiled.filter { $0.applies(inFeatures: inF, inner: inner) }
        if let forced = tuning.gegluForce {
            if variants.contains(forced) { _ = launch(forced) } else { geglu(linear(x, weight: weight, bias: bias), into: out) }
            return out
        }
        var paths = variants.map { v in { launch(v) } }
        if rows * 2 * inner * elementSize <= Self.composedGEGLUCandidateBytes {
            paths.append { self.geglu(self.linear(x, weight: weight, bias: bias), into: out); return true }
        }
        // The shape as a convolution key: rows, in and inner features as n, c and o.
        let key = CUDAConvolution.Key(n: rows, c: inF, h: 1, w: 1, o: inner, kh: 1, kw: 1, stride: 1, padH: 0, padW: 0)
        fastestOf(.init(op: .linearGEGLU, shape: key), paths)
        return out
    }
}

/// One compiled shape of the fused GEGLU projection: 128 rows × `columns` outputs per block
/// (`resident`: a persistent block per SM holding its columns' weights for all K, 64 rows per
/// warpgroup streaming past), `stages` k-tiles of 64 channels in flight.
public struct GEGLUVariant: Sendable, Equatable, CustomStringConvertible {
    public let columns: Int
    public let stages: Int
    public let resident: Bool
    var kernelName: String { resident ? "ff_geglu_ws_n\(columns)_s\(stages)" : "ff_geglu_n\(columns)_s\(stages)" }
    public var description: String { kernelName }

    /// Streaming: an A tile of 128 rows and a B tile of 2·columns weight rows per stage, 128
    /// bytes a row. Resident: the B tile for all K, then each warpgroup's 64-row A slots. Plus the
    /// 1024-byte alignment slack.
    func sharedBytes(inFeatures k: Int) -> Int {
        resident ? k / 64 * 2 * columns * 128 + 2 * stages * 64 * 128 + 1024 : stages * (128 + 2 * columns) * 128 + 1024
    }

    /// Whether this variant takes a projection of these widths (resident weights must fit the
    /// 227 KiB of shared memory a Hopper block may have).
    func applies(inFeatures k: Int, inner: Int) -> Bool {
        inner % columns == 0 && (!resident || sharedBytes(inFeatures: k) <= 227 * 1024)
    }

    /// The variants compiled into the Hopper module (FF_GEGLU_ENTRY / FF_GEGLU_WS_ENTRY lines).
    public static let compiled = [GEGLUVariant(columns: 64, stages: 3, resident: false),
                                  GEGLUVariant(columns: 128, stages: 4, resident: true),
                                  GEGLUVariant(columns: 64, stages: 4, resident: true)]
}
