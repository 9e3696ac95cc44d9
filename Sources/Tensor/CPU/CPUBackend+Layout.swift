// Layout ops: permute, concat, slice, nearest upsampling, adaptive average pooling, embedding.
extension CPUBackend {
    public func permute(_ x: Tensor, _ perm: [Int]) -> Tensor {
        precondition(perm.count == x.rank && Set(perm) == Set(0..<x.rank), "permute \(perm) for shape \(x.shape)")
        let outShape = perm.map { x.shape[$0] }
        let out = empty(outShape)
        let op = mutablePointer(out)
        var inStrides = [Int](repeating: 1, count: x.rank)
        for i in stride(from: x.rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * x.shape[i + 1] }
        let strides = perm.map { inStrides[$0] }  // input stride of each output dim
        let rank = outShape.count
        let inner = outShape.last ?? 1
        let innerStride = strides.last ?? 1
        let outer = out.count / max(inner, 1)
        withFloats(x) { xp in
            parallelRanges(outer, threads: threads, grain: 64) { r in
                for o in r {
                    var rem = o, off = 0
                    var d = rank - 2
                    while d >= 0 { off += (rem % outShape[d]) * strides[d]; rem /= outShape[d]; d -= 1 }
                    let dst = op + o * inner
                    if innerStride == 1 {
                        dst.update(from: xp + off, count: inner)
                    } else {
                        for j in 0..<inner { dst[j] = xp[off + j * innerStride] }
                    }
                }
            }
        }
        return out
    }

    public func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        precondition(!xs.isEmpty, "concat of no tensors")
        let first = xs[0]
        let ax = axis < 0 ? first.rank + axis : axis
        for t in xs {
            precondition(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == ax || t.shape[$0] == first.shape[$0] },
                         "concat along \(ax): shapes \(xs.map(\.shape)) differ off-axis")
        }
        var outShape = first.shape
        outShape[ax] = xs.reduce(0) { $0 + $1.shape[ax] }
        let out = empty(outShape)
        let op = mutablePointer(out)
        let outer = first.shape[..<ax].reduce(1, *)
        let outRow = outShape[ax...].reduce(1, *)
        var colOffset = 0
        for t in xs {
            let row = t.shape[ax...].reduce(1, *)
            let offset = colOffset
            withFloats(t) { tp in
                parallelRanges(outer, threads: threads, grain: max(1, 16384 / max(row, 1))) { r in
                    for o in r { (op + o * outRow + offset).update(from: tp + o * row, count: row) }
                }
            }
            colOffset += row
        }
        return out
    }

    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        let ax = axis < 0 ? x.rank + axis : axis
        precondition(range.lowerBound >= 0 && range.upperBound <= x.shape[ax], "slice \(range) out of \(x.shape) on axis \(ax)")
        var outShape = x.shape
        outShape[ax] = range.count
        let out = empty(outShape)
        let op = mutablePointer(out)
        let outer = x.shape[..<ax].reduce(1, *)
        let innerSize = x.shape[(ax + 1)...].reduce(1, *)
        let inRow = x.shape[ax] * innerSize, outRow = range.count * innerSize
        withFloats(x) { xp in
            parallelRanges(outer, threads: threads, grain: max(1, 16384 / max(outRow, 1))) { r in
                for o in r { (op + o * outRow).update(from: xp + o * inRow + range.lowerBound * innerSize, count: outRow) }
            }
        }
        return out
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 2, "upsampleNearest2x expects [..., H, W]")
        let h = x.dim(-2), w = x.dim(-1)
        let planes = x.count / max(h * w, 1)
        let out = empty(Array(x.shape.dropLast(2)) + [2 * h, 2 * w])
        let op = mutablePointer(out)
        withFloats(x) { xp in
            parallelRanges(planes * h, threads: threads, grain: 16) { r in
                for py in r {
                    let p = py / h, y = py % h
                    let src = xp + p * h * w + y * w
                    let dst = op + p * 4 * h * w + 2 * y * 2 * w
                    for i in 0..<w { dst[2 * i] = src[i]; dst[2 * i + 1] = src[i] }
                    (dst + 2 * w).update(from: dst, count: 2 * w)
                }
            }
        }
        return out
    }

    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        let h = x.dim(-2), w = x.dim(-1)
        let planes = x.count / max(h * w, 1)
        let out = empty(Array(x.shape.dropLast(2)) + [outH, outW])
        let op = mutablePointer(out)
        withFloats(x) { xp in
            parallelRanges(planes, threads: threads) { r in
                for p in r {
                    let src = xp + p * h * w
                    for oy in 0..<outH {
                        let y0 = (oy * h) / outH, y1 = ((oy + 1) * h + outH - 1) / outH
                        for ox in 0..<outW {
                            let x0 = (ox * w) / outW, x1 = ((ox + 1) * w + outW - 1) / outW
                            var s: Float = 0
                            for y in y0..<y1 { for xx in x0..<x1 { s += src[y * w + xx] } }
                            op[p * outH * outW + oy * outW + ox] = s / Float((y1 - y0) * (x1 - x0))
                        }
                    }
                }
            }
        }
        return out
    }

    public func embedding(_ ids: [Int], table: Tensor) -> Tensor {
        precondition(table.rank == 2, "embedding table must be [V, D], got \(table.shape)")
        let v = table.shape[0], d = table.shape[1]
        let out = empty([ids.count, d])
        let op = mutablePointer(out)
        let raw = rawPointer(table)
        for (row, id) in ids.enumerated() {
            precondition(id >= 0 && id < v, "token id \(id) outside the vocabulary of \(v)")
            let dst = op + row * d
            switch table.dtype {
            case .float32: dst.update(from: raw.assumingMemoryBound(to: Float.self) + id * d, count: d)
            case .float16: HalfConversion.widenFloat16(raw.assumingMemoryBound(to: UInt16.self) + id * d, dst, d)
            case .bfloat16: HalfConversion.widenBFloat16(raw.assumingMemoryBound(to: UInt16.self) + id * d, dst, d)
            }
        }
        return out
    }
}
