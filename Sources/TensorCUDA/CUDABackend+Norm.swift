import Tensor

// GroupNorm on the GPU. A 5-D UNet activation [2, 320, 16, 64, 64] has only 64 groups of 655 360
// elements each; one block per group would leave half of an H100 idle and read the data three
// times. The split path spreads each group over many blocks (`gn_partial`), folds the partial sums
// into per-channel coefficients (`gn_coeffs`) and normalises in one vectorised pass (`gn_apply`,
// optionally fused with SiLU): two reads and one write of the tensor.
extension CUDABackend {
    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        normalize(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: false)
    }

    /// silu(groupNorm(x)) in the same passes as groupNorm alone.
    public func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        normalize(x, groups: groups, weight: weight, bias: bias, eps: eps, silu: true)
    }

    func normalize(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, silu: Bool) -> Tensor {
        precondition(x.rank >= 2 && groups > 0 && x.shape[1] % groups == 0, "groupNorm: \(x.shape[1]) channels not divisible by \(groups) groups")
        if !tuning.splitGroupNorm {
            let y = oneBlockGroupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps)
            return silu ? unary(.silu, y) : y
        }
        let n = x.shape[0], c = x.shape[1], spatial = x.count / max(n * c, 1)
        let out = empty(x.shape)
        if x.count == 0 { return out }
        let coef = coefficients(x, samples: n, frames: 1, channels: c, spatial: spatial, groups: groups, weight: weight, bias: bias, eps: eps)
        applyCoefficients(x, out, coef, channels: c, spatial: spatial, frames: 1, silu: silu)
        return out
    }

    /// out = (x − mean)·a + b (then SiLU) with `coefficients`' per (sample, channel) rows, where a
    /// sample is `frames` consecutive [C, spatial] planes (`gn_apply`, 8 elements per step when
    /// planes are 8-element multiples and the pointers 16-byte aligned).
    func applyCoefficients(_ x: Tensor, _ out: Tensor, _ coef: CUDABuffer, channels c: Int, spatial: Int, frames: Int, silu: Bool) {
        let vecApply = addr(x) % 16 == 0 && addr(out) % 16 == 0 && spatial % 8 == 0
        run("gn_apply", count: vecApply ? x.count / 8 : x.count,
            [.ptr(addr(x)), .ptr(addr(out)), .ptr(coef.address), .i64(x.count), .i64(spatial), .i32(silu ? 1 : 0), .i32(vecApply ? 1 : 0),
             .i64(c), .i32(frames)])
    }

    /// GroupNorm straight into transformer tokens (`gn_tokens_vec`: the normalising pass writes
    /// the token layout through shared-memory tiles), so no permute pass follows; the temporal
    /// form takes its statistics over the frames in place, without first gathering them. Shapes
    /// whose rows are not 8-element aligned (the deepest level of some frame sizes, e.g. 20×11)
    /// take the composed path.
    public func groupNormTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        normalizedTokens(x, groups: groups, weight: weight, bias: bias, eps: eps, frames: frames, silu: false)
            ?? composedGroupNormTokens(x, groups: groups, weight: weight, bias: bias, eps: eps, frames: frames)
    }

    /// The same pass with SiLU, per sample, as the input of a channels-last convolution.
    public func groupNormSiLUTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        normalizedTokens(x, groups: groups, weight: weight, bias: bias, eps: eps, frames: 1, silu: true)
            ?? composedGroupNormSiLUTokens(x, groups: groups, weight: weight, bias: bias, eps: eps)
    }

    /// `gn_tokens_vec`, or nil where the fused token kernels do not take the operands.
    private func normalizedTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int, silu: Bool) -> Tensor? {
        let (n, c, hw) = (x.shape[0], x.shape[1], x.rank == 4 ? x.shape[2] * x.shape[3] : 0)
        guard tuning.splitGroupNorm, x.rank == 4, frames > 0, n % frames == 0, groups > 0, c % groups == 0, x.count > 0,
              fusedTokenLayout(channels: c, pixels: hw, x) else { return nil }
        let out = empty(frames == 1 ? [n, hw, c] : [n / frames * hw, frames, c])
        let coef = coefficients(x, samples: n / frames, frames: frames, channels: c, spatial: hw, groups: groups,
                                weight: weight, bias: bias, eps: eps)
        let tilesC = (c + 63) / 64, tilesP = (hw + 63) / 64
        runBlocks("gn_tokens_vec", grid: min(n * tilesC * tilesP, ctx.multiprocessors * 16), block: 256,
                  [.ptr(addr(x)), .ptr(addr(out)), .ptr(coef.address), .i64(c), .i64(hw), .i32(frames), .i64(tilesC), .i64(tilesP), .i64(n),
                   .i32(silu ? 1 : 0)])
        return out
    }

    /// Tokens back to [B·F, C, h, w] plus the residual in one tiled pass (`tokens_add_vec`).
    public func tokensToFeatureMaps(_ t: Tensor, adding residual: Tensor, frames: Int) -> Tensor {
        let (n, c, hw) = (residual.shape[0], residual.shape[1], residual.rank == 4 ? residual.shape[2] * residual.shape[3] : 0)
        guard residual.rank == 4, frames > 0, n % frames == 0, t.count == residual.count, residual.count > 0,
              fusedTokenLayout(channels: c, pixels: hw, t, residual) else {
            return composedTokensToFeatureMaps(t, adding: residual, frames: frames)
        }
        return tokensAdd(t, residual: residual, channelBias: nil, into: empty(residual.shape), frames: frames)
    }

    /// Channels-last maps [N, h·w, C] back to NCHW with an optional residual and channel bias
    /// ([C] or [N, C]) in the same tiled pass.
    public func tokensToFeatureMaps(_ t: Tensor, height h: Int, width w: Int, adding residual: Tensor?, channelBias: Tensor?) -> Tensor {
        let (n, c, hw) = (t.shape[0], t.rank == 3 ? t.shape[2] : 0, h * w)
        let operands = [t] + (residual.map { [$0] } ?? [])
        guard t.rank == 3, t.shape[1] == hw, t.count > 0, (residual?.shape ?? [n, c, h, w]) == [n, c, h, w],
              channelBias.map({ $0.count == c || $0.count == n * c }) ?? true,
              fusedTokenLayout(channels: c, pixels: hw, operands) else {
            return composedTokensToFeatureMaps(t, height: h, width: w, adding: residual, channelBias: channelBias)
        }
        return tokensAdd(t, residual: residual, channelBias: channelBias, into: empty([n, c, h, w]), frames: 1)
    }

    /// `tokens_add_vec`: token rows of t back to `out` [N, C, h, w] plus the optional residual
    /// and channel bias ([C] shared, or [N, C] per sample), in one tiled pass.
    private func tokensAdd(_ t: Tensor, residual: Tensor?, channelBias: Tensor?, into out: Tensor, frames: Int) -> Tensor {
        let (n, c, hw) = (out.shape[0], out.shape[1], out.shape[2] * out.shape[3])
        let tilesC = (c + 63) / 64, tilesP = (hw + 63) / 64
        let biasStride = channelBias.map { $0.count == c ? 0 : c } ?? 0
        runBlocks("tokens_add_vec", grid: min(n * tilesC * tilesP, ctx.multiprocessors * 16), block: 256,
                  [.ptr(addr(t)), .ptr(residual.map { addr($0) } ?? 0), .ptr(addr(out)), .i64(c), .i64(hw), .i32(frames), .i64(tilesC),
                   .i64(tilesP), .i64(n), .ptr(channelBias.map { addr($0) } ?? 0), .i64(biasStride)])
        return out
    }

    /// Whether the fused token kernels take these operands: switched on, 8-element rows, 16-byte
    /// aligned inputs (the allocator's own buffers always are).
    private func fusedTokenLayout(channels c: Int, pixels hw: Int, _ tensors: Tensor...) -> Bool {
        fusedTokenLayout(channels: c, pixels: hw, tensors)
    }
    private func fusedTokenLayout(channels c: Int, pixels hw: Int, _ tensors: [Tensor]) -> Bool {
        tuning.fusedTokens && tuning.vectorized && c % 8 == 0 && hw % 8 == 0 && tensors.allSatisfy { addr($0) % 16 == 0 }
    }

    /// Per (sample, channel) {mean, rstd·weight, bias} in a float32 scratch buffer. A sample is
    /// `frames` consecutive [C, spatial] planes whose statistics pool together. With `inputBias`
    /// ([C]) they are the coefficients of x + inputBias[channel] applied to x itself.
    func coefficients(_ x: Tensor, samples n: Int, frames: Int, channels c: Int, spatial: Int, groups: Int,
                      weight: Tensor, bias: Tensor, eps: Float, inputBias: Tensor? = nil) -> CUDABuffer {
        let ng = n * groups, size = (c / groups) * spatial
        // Enough blocks for ~8 per multiprocessor, none shorter than 4096 elements.
        let blocksPerGroup = max(1, (8 * ctx.multiprocessors + ng - 1) / ng)
        let chunks = max(1, min((size + 4095) / 4096, max(1, blocksPerGroup / frames)))
        let chunk = ((size + chunks - 1) / chunks + 7) / 8 * 8
        let usedChunks = (size + chunk - 1) / chunk
        let vecStats = addr(x) % 16 == 0 && size % 8 == 0
        let partial = scratchF32(2 * ng * frames * usedChunks)
        let coef = scratchF32(3 * n * c)
        let inBias = inputBias.map { addr($0) } ?? 0
        runBlocks("gn_partial", grid: ng * frames * usedChunks, block: 256,
                  [.ptr(addr(x)), .ptr(partial.address), .i64(size), .i32(usedChunks), .i64(chunk), .i32(vecStats ? 1 : 0),
                   .i32(frames), .i64(groups), .ptr(inBias), .i64(spatial)])
        run("gn_coeffs", count: n * c, [.ptr(addr(x)), .ptr(partial.address), .ptr(addr(weight)), .ptr(addr(bias)), .ptr(coef.address),
                                        .i64(n), .i64(c), .i64(groups), .i32(usedChunks * frames), .i64(size), .f32(eps), .i32(frames),
                                        .ptr(inBias)])
        return coef
    }

    /// The original path: one block of 1024 threads per (sample, group), three passes.
    func oneBlockGroupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        let n = x.shape[0], c = x.shape[1], spatial = x.count / max(n * c, 1)
        let out = empty(x.shape)
        runBlocks("group_norm", grid: n * groups, block: 1024, [.ptr(addr(x)), .ptr(addr(out)), .ptr(addr(weight)), .ptr(addr(bias)),
                                                                 .i64(groups), .i64(c / groups), .i64(spatial), .f32(eps)])
        return out
    }
}
