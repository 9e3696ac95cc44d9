import Tensor

// The feed-forward's GEGLU projection as one Hopper kernel (HopperGEMMKernels.swift): the
// [rows, 2·inner] product stays in registers, and the epilogue writes value · GELU(gate).
extension CUDABackend {
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
        let variants = GEGLUVariant.compiled.filter { inner % $0.columns == 0 }
        let launch = { (v: GEGLUVariant) -> Bool in
            self.runBlocks(v.kernelName, grid: (rows + 127) / 128 * (inner / v.columns), block: 256, sharedBytes: v.sharedBytes,
                           module: .hopper, [.ptr(self.addr(x)), .ptr(self.addr(weight)), .ptr(bias.map { self.addr($0) } ?? 0),
                                             .ptr(self.addr(out)), .i32(rows), .i32(inner), .i32(inF)])
            return true
        }
        if let forced = tuning.gegluForce, variants.contains(forced) {
            _ = launch(forced)
        } else {
            // The shape as a convolution key: rows, in and inner features as n, c and o.
            let key = CUDAConvolution.Key(n: rows, c: inF, h: 1, w: 1, o: inner, kh: 1, kw: 1, stride: 1, padH: 0, padW: 0)
            fastestOf(.init(op: .linearGEGLU, shape: key), variants.map { v in { launch(v) } })
        }
        return out
    }
}

/// One compiled shape of the fused GEGLU projection: 128 rows × `columns` outputs per block,
/// `stages` k-tiles of 64 channels in flight.
public struct GEGLUVariant: Sendable, Equatable, CustomStringConvertible {
    public let columns: Int
    public let stages: Int
    var kernelName: String { "ff_geglu_n\(columns)_s\(stages)" }
    /// A tile of 128 rows and one of 2·columns weight rows per stage, 128 bytes a row, plus the
    /// 1024-byte alignment slack.
    var sharedBytes: Int { stages * (128 + 2 * columns) * 128 + 1024 }
    public var description: String { kernelName }

    /// The variants compiled into the Hopper module (FF_GEGLU_ENTRY lines).
    public static let compiled = [GEGLUVariant(columns: 64, stages: 3), GEGLUVariant(columns: 64, stages: 4),
                                  GEGLUVariant(columns: 128, stages: 4)]
}
