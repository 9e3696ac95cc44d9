// Matches diffusers src/diffusers/models/resnet.py: TemporalConvLayer (eval mode: dropout off).
import ModelIO
import Tensor

/// Four GroupNorm → SiLU → Conv3d (3,1,1) stages along time with a residual around all four.
/// The GroupNorms see the 5-D tensor, so their statistics pool across frames (eps 1e-5, the nn
/// default). Keys: `conv1.0`/`conv1.2`, `conv{2,3,4}.0`/`conv{2,3,4}.3` (index 2 is Dropout there).
struct TemporalConvLayer {
    let norms: [GroupNorm]
    let convs: [TemporalConv3d]  // each [C, C, 3, 1, 1]

    init(_ s: WeightScope, channels: Int, groups: Int) throws {
        var norms: [GroupNorm] = []
        var convs: [TemporalConv3d] = []
        for stage in 1...4 {
            let seq = s["conv\(stage)"]
            norms.append(try GroupNorm(seq["0"], groups: groups, channels: channels, eps: 1e-5))
            convs.append(try TemporalConv3d(seq[stage == 1 ? "2" : "3"], inChannels: channels, outChannels: channels))
        }
        self.norms = norms
        self.convs = convs
    }

    /// x: [N, C, h, w] with N = Bc·F (frame-major: sample b·F + f) → [N, C, h, w]. The frame-major
    /// ops pool the GroupNorm statistics over each video's frames and convolve along them, no
    /// permutes; where the backend prefers (`prefersFrameMajorTemporal`), the layer permutes once
    /// to [Bc, C, F, h, w] and back instead.
    func callAsFunction(_ be: any Backend, _ x: Tensor, frames: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        if be.prefersFrameMajorTemporal(pixels: h * w) {
            // Each stage's conv bias but the last is folded into the next GroupNorm's passes; the
            // last conv adds its bias and the residual together.
            var t = x, pendingBias: Tensor? = nil
            for (norm, conv) in zip(norms, convs).dropLast() {
                t = conv(be, norm.silu(be, t, inputBias: pendingBias, frames: frames), frames: frames, addingBias: false)
                pendingBias = conv.bias
            }
            let (norm, conv) = (norms[norms.count - 1], convs[convs.count - 1])
            return conv(be, norm.silu(be, t, inputBias: pendingBias, frames: frames), frames: frames, adding: x)  // [N, C, h, w]
        }
        let identity = be.permute(x.reshaped([n / frames, frames, c, h, w]), [0, 2, 1, 3, 4])  // [Bc, C, F, h, w]
        var t = identity
        for (norm, conv) in zip(norms, convs) {
            t = conv.video(be, norm.silu(be, t))  // 5-D GroupNorm pools over frames
        }
        return be.permute(be.add(identity, t), [0, 2, 1, 3, 4]).reshaped([n, c, h, w])
    }
}
