/// The taps of a (k, 1, 1) temporal convolution with zero padding (k-1)/2 that reach an input
/// frame: output frame f of F uses taps t with 0 ≤ f + t − pad < F, i.e. input frames
/// f − pad + t for t in `taps(frame: f)`. In frame-major layout those frames' [C, H·W] blocks
/// are adjacent, so one output frame is one GEMM with K = taps·C.
public struct TemporalTaps: Sendable, Equatable {
    public let kernel: Int
    public let frames: Int
    public init(kernel: Int, frames: Int) {
        precondition(kernel > 0 && frames > 0, "temporal taps: kernel \(kernel), \(frames) frames")
        self.kernel = kernel
        self.frames = frames
    }
    public var pad: Int { (kernel - 1) / 2 }
    /// Taps of output frame `f` whose input frame exists (never empty: the tap at `pad` reads f).
    public func taps(frame f: Int) -> Range<Int> { max(0, pad - f)..<min(kernel, frames + pad - f) }
    /// Output frames every tap reaches (empty when F < k).
    public var interior: Range<Int> { pad..<max(pad, frames + pad - kernel + 1) }
    /// Output frames at either end, where some taps fall into the zero padding.
    public var edges: [Int] { (0..<frames).filter { !interior.contains($0) } }
}

// Composed defaults of the frame-major temporal ops: permute to [B, C, F, H, W], the 5-D op,
// permute back. Correct on every backend; a backend overrides them to skip the permutes.
extension Backend {
    public func prefersFrameMajorTemporal(pixels: Int) -> Bool { true }
    public func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int) -> Tensor {
        composedConv3dTemporalFrames(x, weight: weight, bias: bias, frames: frames)
    }
    public func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int, adding residual: Tensor) -> Tensor {
        add(residual, conv3dTemporalFrames(x, weight: weight, bias: bias, frames: frames))
    }
    public func groupNormSiLU(_ x: Tensor, inputBias: Tensor?, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        composedGroupNormSiLU(withChannelBias(x, inputBias), groups: groups, weight: weight, bias: bias, eps: eps, frames: frames)
    }
    /// `groupNormSiLU(…, frames:)` without an input bias.
    public func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        groupNormSiLU(x, inputBias: nil, groups: groups, weight: weight, bias: bias, eps: eps, frames: frames)
    }

    /// x + b[channel] for x: [N, C, ...] (x itself when b is nil).
    public func withChannelBias(_ x: Tensor, _ b: Tensor?) -> Tensor {
        guard let b else { return x }
        precondition(x.rank >= 2 && b.count == x.shape[1], "channel bias: \(b.shape) for input \(x.shape)")
        return add(x, b.reshaped([1, x.shape[1]] + [Int](repeating: 1, count: x.rank - 2)))
    }

    /// `conv3dTemporalFrames` from permutes and `conv3dTemporal`.
    public func composedConv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 5 && frames > 0 && x.shape[0] % frames == 0,
                     "conv3dTemporalFrames: input \(x.shape), weight \(weight.shape), \(frames) frames")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let b = n / frames, o = weight.shape[0]
        let y = conv3dTemporal(permute(x.reshaped([b, frames, c, h, w]), [0, 2, 1, 3, 4]), weight: weight, bias: bias)
        return permute(y, [0, 2, 1, 3, 4]).reshaped([n, o, h, w])  // [B, O, F, h, w] → [B·F, O, h, w]
    }

    /// `groupNormSiLU(…, frames:)` from permutes and the 5-D `groupNormSiLU`.
    public func composedGroupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        precondition(x.rank == 4 && frames > 0 && x.shape[0] % frames == 0, "groupNormSiLU: \(x.shape) with \(frames) frames")
        if frames == 1 { return groupNormSiLU(x, groups: groups, weight: weight, bias: bias, eps: eps) }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let b = n / frames
        let t = groupNormSiLU(permute(x.reshaped([b, frames, c, h, w]), [0, 2, 1, 3, 4]), groups: groups, weight: weight, bias: bias, eps: eps)
        return permute(t, [0, 2, 1, 3, 4]).reshaped([n, c, h, w])
    }
}
