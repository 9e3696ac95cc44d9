import Tensor

// Pointwise and layout ops on the GPU.
extension CUDABackend {
    static func code(_ op: UnaryOp) -> Int {
        switch op {
        case .silu: return 0
        case .gelu: return 1
        case .geluTanh: return 2
        case .quickGelu: return 3
        case .exp: return 4
        case .sigmoid: return 5
        case .negate: return 6
        case .square: return 7
        case .sqrt: return 8
        }
    }

    public func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor {
        let out = empty(x.shape)
        if vectorizable(x.count, x, out) {
            run("unary_vec", count: x.count / 8, [.ptr(addr(x)), .ptr(addr(out)), .i64(x.count), .i32(Self.code(op))])
        } else {
            run("unary", count: x.count, [.ptr(addr(x)), .ptr(addr(out)), .i64(x.count), .i32(Self.code(op))])
        }
        return out
    }

    public func affine(_ x: Tensor, scale: Float, shift: Float) -> Tensor {
        let out = empty(x.shape)
        run("affine", count: x.count, [.ptr(addr(x)), .ptr(addr(out)), .i64(x.count), .f32(scale), .f32(shift)])
        return out
    }

    public func clamp(_ x: Tensor, min lo: Float, max hi: Float) -> Tensor {
        let out = empty(x.shape)
        run("clampk", count: x.count, [.ptr(addr(x)), .ptr(addr(out)), .i64(x.count), .f32(lo), .f32(hi)])
        return out
    }

    public func axpby(_ a: Float, _ x: Tensor, _ b: Float, _ y: Tensor, constant c: Float) -> Tensor {
        precondition(x.shape == y.shape, "axpby: shapes \(x.shape) and \(y.shape) differ")
        let out = empty(x.shape)
        let kernel = vectorizable(x.count, x, y, out) ? "axpby_vec" : "axpby"
        run(kernel, count: kernel == "axpby" ? x.count : x.count / 8, [.ptr(addr(x)), .ptr(addr(y)), .ptr(addr(out)), .i64(x.count), .f32(a), .f32(b), .f32(c)])
        return out
    }

    public func geglu(_ x: Tensor) -> Tensor {
        let out = empty(Array(x.shape.dropLast()) + [x.dim(-1) / 2])
        geglu(x, into: out)
        return out
    }

    /// GEGLU of x [..., 2·d] written into `out` [..., d].
    func geglu(_ x: Tensor, into out: Tensor) {
        let d = x.dim(-1) / 2, rows = x.count / max(2 * d, 1)
        precondition(out.count == rows * d, "geglu: output \(out.shape) for input \(x.shape)")
        if d % 8 == 0 && vectorizable(rows * d, x, out) {
            run("geglu_vec", count: rows * d / 8, [.ptr(addr(x)), .ptr(addr(out)), .i64(rows), .i64(d)])
            return
        }
        run("geglu", count: rows * d, [.ptr(addr(x)), .ptr(addr(out)), .i64(rows), .i64(d)])
    }

    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Broadcast.shape(a.shape, b.shape)
        let out = empty(shape)
        let code: Int
        switch op { case .add: code = 0; case .sub: code = 1; case .mul: code = 2; case .div: code = 3 }
        let (dims, sa, sb) = Self.collapse(shape, Broadcast.strides(a.shape, to: shape), Broadcast.strides(b.shape, to: shape))
        if a.shape == b.shape, vectorizable(out.count, a, b, out) {
            run("binary_vec", count: out.count / 8, [.ptr(addr(a)), .ptr(addr(b)), .ptr(addr(out)), .i64(out.count), .i32(code)])
            return out
        }
        if let (inner, mid) = Self.channelBroadcast(dims, full: sa, channel: sb), inner % 8 == 0, vectorizable(out.count, a, out) {
            run("binary_chan_vec", count: out.count / 8, [.ptr(addr(a)), .ptr(addr(b)), .ptr(addr(out)), .i64(out.count), .i32(code),
                                                          .i64(inner), .i64(mid)])
            return out
        }
        if op == .add || op == .mul, let (inner, mid) = Self.channelBroadcast(dims, full: sb, channel: sa), inner % 8 == 0,
           vectorizable(out.count, b, out) {
            run("binary_chan_vec", count: out.count / 8, [.ptr(addr(b)), .ptr(addr(a)), .ptr(addr(out)), .i64(out.count), .i32(code),
                                                          .i64(inner), .i64(mid)])
            return out
        }
        run("binary", count: out.count, [.ptr(addr(a)), .ptr(addr(b)), .ptr(addr(out)), .i64(out.count), .i32(code),
                                         .strides6(rank: dims.count, dims: dims, a: sa, b: sb)])
        return out
    }

    public func permute(_ x: Tensor, _ perm: [Int]) -> Tensor {
        let out = empty(perm.map { x.shape[$0] })
        permute(x, perm, into: out)
        return out
    }

    /// Writes x with its axes permuted into `out` (shaped `perm.map { x.shape[$0] }`).
    func permute(_ x: Tensor, _ perm: [Int], into out: Tensor) {
        let outShape = perm.map { x.shape[$0] }
        precondition(out.shape == outShape, "permute: output \(out.shape), expected \(outShape)")
        var inStrides = [Int](repeating: 1, count: x.rank)
        for i in stride(from: x.rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * x.shape[i + 1] }
        let (dims, sa, _) = Self.collapse(outShape, perm.map { inStrides[$0] }, [Int](repeating: 0, count: perm.count))
        if out.count == 0 { return }
        let last = dims.count - 1
        if sa[last] == 1 && dims[last] % 8 == 0 && sa.dropLast().allSatisfy({ $0 % 8 == 0 }) && vectorizable(8, x, out) {
            // Rows contiguous in the input: copy 8 elements at a time.
            var chunkDims = dims, chunkStrides = sa
            chunkDims[last] /= 8; chunkStrides[last] = 8
            run("permute_vec", count: out.count / 8, [.ptr(addr(x)), .ptr(addr(out)), .i64(out.count),
                                                      .strides6(rank: dims.count, dims: chunkDims, a: chunkStrides, b: chunkStrides)])
            return
        }
        if tuning.vectorized, sa[last] != 1, let kd = sa.firstIndex(of: 1), kd < last {
            // A batched transpose: input dim kd is contiguous, the output's last dim is strided.
            var outStrides = [Int](repeating: 1, count: dims.count)
            for i in stride(from: last - 1, through: 0, by: -1) { outStrides[i] = outStrides[i + 1] * dims[i + 1] }
            let tilesK = (dims[kd] + 31) / 32, tilesL = (dims[last] + 31) / 32, batch = out.count / (dims[kd] * dims[last])
            runBlocks("permute_tiled", grid: min(batch * tilesK * tilesL, ctx.multiprocessors * 16), block: 256,
                      [.ptr(addr(x)), .ptr(addr(out)), .strides6(rank: dims.count, dims: dims, a: sa, b: outStrides), .i32(kd),
                       .i64(tilesK), .i64(tilesL), .i64(batch)])
            return
        }
        run("permute", count: out.count, [.ptr(addr(x)), .ptr(addr(out)), .i64(out.count), .strides6(rank: dims.count, dims: dims, a: sa, b: sa)])
    }

    public func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        let first = xs[0], ax = axis < 0 ? first.rank + axis : axis
        var outShape = first.shape
        outShape[ax] = xs.reduce(0) { $0 + $1.shape[ax] }
        let out = empty(outShape)
        let outer = first.shape[..<ax].reduce(1, *), outRow = outShape[ax...].reduce(1, *)
        var col = 0
        for t in xs {
            let row = t.shape[ax...].reduce(1, *)
            copyRows(t, out, rows: outer, cols: row, xStride: row, yStride: outRow, xOff: 0, yOff: col)
            col += row
        }
        return out
    }

    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        let ax = axis < 0 ? x.rank + axis : axis
        var outShape = x.shape
        outShape[ax] = range.count
        let outer = x.shape[..<ax].reduce(1, *), inner = x.shape[(ax + 1)...].reduce(1, *)
        if outer == 1 {
            // A contiguous run of the leading axis: a view of x's buffer, no copy (ops never write
            // their inputs, so sharing the buffer is safe).
            return Tensor(shape: outShape, dtype: x.dtype, buffer: x.buffer, offset: x.offset + range.lowerBound * inner)
        }
        let out = empty(outShape)
        copyRows(x, out, rows: outer, cols: range.count * inner, xStride: x.shape[ax] * inner, yStride: range.count * inner,
                 xOff: range.lowerBound * inner, yOff: 0)
        return out
    }

    /// y[yOff + r·yStride + c] = x[xOff + r·xStride + c] for r < rows, c < cols.
    func copyRows(_ x: Tensor, _ y: Tensor, rows: Int, cols: Int, xStride: Int, yStride: Int, xOff: Int, yOff: Int) {
        if rows * cols == 0 { return }
        if [cols, xStride, yStride, xOff, yOff].allSatisfy({ $0 % 8 == 0 }) && vectorizable(8, x, y) {
            run("copy_rows_vec", count: rows * cols / 8, [.ptr(addr(x)), .ptr(addr(y)), .i64(rows), .i64(cols), .i64(xStride), .i64(yStride),
                                                          .i64(xOff), .i64(yOff)])
        } else {
            run("copy_rows", count: rows * cols, [.ptr(addr(x)), .ptr(addr(y)), .i64(rows), .i64(cols), .i64(xStride), .i64(yStride),
                                                  .i64(xOff), .i64(yOff)])
        }
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        let h = x.dim(-2), w = x.dim(-1), planes = x.count / max(h * w, 1)
        let out = empty(Array(x.shape.dropLast(2)) + [2 * h, 2 * w])
        if w % 4 == 0 && vectorizable(out.count, out) {
            run("upsample2x_vec", count: out.count / 8, [.ptr(addr(x)), .ptr(addr(out)), .i64(planes), .i64(h), .i64(w)])
            return out
        }
        run("upsample2x", count: out.count, [.ptr(addr(x)), .ptr(addr(out)), .i64(planes), .i64(h), .i64(w)])
        return out
    }

    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        let h = x.dim(-2), w = x.dim(-1), planes = x.count / max(h * w, 1)
        let out = empty(Array(x.shape.dropLast(2)) + [outH, outW])
        run("adaptive_pool", count: out.count, [.ptr(addr(x)), .ptr(addr(out)), .i64(planes), .i64(h), .i64(w), .i64(outH), .i64(outW)])
        return out
    }

    public func embedding(_ ids: [Int], table: Tensor) -> Tensor {
        let v = table.shape[0], d = table.shape[1]
        for id in ids { precondition(id >= 0 && id < v, "token id \(id) outside the vocabulary of \(v)") }
        let out = empty([ids.count, d])
        let idBuf = scratchF32(max(ids.count, 1))
        let ids32 = ids.map { Int32($0) }
        do {
            try ids32.withUnsafeBytes { try ctx.driver.check(ctx.driver.cuMemcpyHtoD(idBuf.address, $0.baseAddress!, ids.count * 4), "cuMemcpyHtoD(ids)") }
        } catch { fatalError("\(error)") }
        run("embedding", count: ids.count * d, [.ptr(addr(table)), .ptr(idBuf.address), .ptr(addr(out)), .i64(ids.count), .i64(d)])
        return out
    }

    // MARK: - Shape helpers

    /// True when the 16-byte kernels apply: vectorised paths on, `count` a multiple of 8 and every
    /// tensor's address 16-byte aligned.
    func vectorizable(_ count: Int, _ ts: Tensor...) -> Bool {
        tuning.vectorized && count % 8 == 0 && count > 0 && ts.allSatisfy { addr($0) % 16 == 0 }
    }

    /// For collapsed broadcast strides: when `full` is contiguous over `dims` and `channel` indexes
    /// exactly one dimension k with stride 1 (all others broadcast), returns (inner, mid) such that
    /// the channel operand's index is (i / inner) % mid, with inner = product of dims after k.
    static func channelBroadcast(_ dims: [Int], full: [Int], channel: [Int]) -> (inner: Int, mid: Int)? {
        var s = 1
        for i in stride(from: dims.count - 1, through: 0, by: -1) {
            if full[i] != s { return nil }
            s *= dims[i]
        }
        let nonzero = channel.indices.filter { channel[$0] != 0 }
        guard nonzero.count == 1, let k = nonzero.first, channel[k] == 1, k < dims.count - 1 else { return nil }
        return (dims[(k + 1)...].reduce(1, *), dims[k])
    }

    /// Drops size-1 dims and merges neighbours that are contiguous in both inputs, so any shape
    /// fits the kernels' rank-6 index arithmetic.
    static func collapse(_ dims: [Int], _ a: [Int], _ b: [Int]) -> ([Int], [Int], [Int]) {
        var d = [Int](), sa = [Int](), sb = [Int]()
        for i in 0..<dims.count where dims[i] != 1 {
            if let last = d.last, sa.last! == a[i] * dims[i], sb.last! == b[i] * dims[i] {
                d[d.count - 1] = last * dims[i]; sa[sa.count - 1] = a[i]; sb[sb.count - 1] = b[i]
            } else {
                d.append(dims[i]); sa.append(a[i]); sb.append(b[i])
            }
        }
        if d.isEmpty { return ([1], [0], [0]) }
        precondition(d.count <= 6, "CUDA kernels support at most 6 non-mergeable dimensions, got \(dims)")
        return (d, sa, sb)
    }
}
