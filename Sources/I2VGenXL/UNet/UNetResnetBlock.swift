// Matches diffusers src/diffusers/models/resnet.py: ResnetBlock2D (time_embedding_norm "default",
// pre_norm, output_scale_factor 1, dropout 0, SiLU) as the UNet's 3-D blocks build it (eps 1e-5).
import ModelIO
import Tensor

/// Per-frame residual block with the timestep embedding added after `conv1`.
/// Keys: `norm1`, `conv1`, `time_emb_proj`, `norm2`, `conv2`, `conv_shortcut` (iff Cin ≠ Cout).
struct UNetResnetBlock {
    let norm1: UNetNN.GroupNorm
    let conv1: UNetNN.Conv2d         // [Cout, Cin, 3, 3]
    let timeEmbProj: UNetNN.Linear   // [Cout, temb]
    let norm2: UNetNN.GroupNorm
    let conv2: UNetNN.Conv2d         // [Cout, Cout, 3, 3]
    let convShortcut: UNetNN.Conv2d? // [Cout, Cin, 1, 1]
    let outChannels: Int

    init(_ s: WeightScope, inChannels: Int, outChannels: Int, tembChannels: Int, groups: Int, eps: Float = 1e-5) throws {
        self.outChannels = outChannels
        norm1 = try UNetNN.GroupNorm(s["norm1"], groups: groups, channels: inChannels, eps: eps)
        conv1 = try UNetNN.Conv2d(s["conv1"], in: inChannels, out: outChannels, kernel: 3, padding: 1)
        timeEmbProj = try UNetNN.Linear(s["time_emb_proj"], in: tembChannels, out: outChannels)
        norm2 = try UNetNN.GroupNorm(s["norm2"], groups: groups, channels: outChannels, eps: eps)
        conv2 = try UNetNN.Conv2d(s["conv2"], in: outChannels, out: outChannels, kernel: 3, padding: 1)
        convShortcut = inChannels != outChannels
            ? try UNetNN.Conv2d(s["conv_shortcut"], in: inChannels, out: outChannels, kernel: 1, padding: 0)
            : nil
    }

    /// x: [N, Cin, h, w] with N = Bc·F; tembAct: SiLU(emb) [Bc, temb], one row per batch element
    /// (diffusers repeats it per frame; adding one row to all F frames is the same sum) → [N, Cout, h, w]
    func callAsFunction(_ be: Backend, _ x: Tensor, tembAct: Tensor, frames: Int) -> Tensor {
        let n = x.shape[0], h = x.shape[2], w = x.shape[3]
        let b = tembAct.shape[0]
        var t = conv1(be, be.silu(norm1(be, x)))                          // [N, Cout, h, w]
        let te = timeEmbProj(be, tembAct).reshaped([b, 1, outChannels, 1, 1])  // [Bc, 1, Cout, 1, 1]
        t = be.add(t.reshaped([b, frames, outChannels, h, w]), te).reshaped([n, outChannels, h, w])
        t = conv2(be, be.silu(norm2(be, t)))                              // [N, Cout, h, w]
        let shortcut = convShortcut.map { $0(be, x) } ?? x
        return be.add(shortcut, t)
    }
}
