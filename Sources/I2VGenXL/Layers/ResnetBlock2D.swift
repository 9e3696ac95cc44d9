// Matches diffusers models/resnet.py: ResnetBlock2D (time_embedding_norm "default", no up/down
// sampling inside the block, conv_shortcut as a 1×1 convolution when the channel count changes).
import ModelIO
import Tensor

/// norm1 → act → conv1 (+ time_emb_proj(act(temb)) per channel) → norm2 → act → conv2, plus the
/// (projected) input, divided by `outputScaleFactor`.
///
/// Keys: `norm1`, `conv1`, `norm2`, `conv2`, optional `time_emb_proj`, and `conv_shortcut` when
/// `inChannels != outChannels`.
public struct ResnetBlock2D {
    public struct Options {
        public var groups: Int
        /// Groups of norm2; nil means `groups`.
        public var groupsOut: Int?
        public var eps: Float
        /// Width of the time embedding; nil means the block has no `time_emb_proj`.
        public var tembChannels: Int?
        public var activation: Activation
        public var outputScaleFactor: Float

        public init(
            groups: Int, groupsOut: Int? = nil, eps: Float, tembChannels: Int? = nil,
            activation: Activation = .silu, outputScaleFactor: Float = 1
        ) {
            self.groups = groups; self.groupsOut = groupsOut; self.eps = eps; self.tembChannels = tembChannels
            self.activation = activation; self.outputScaleFactor = outputScaleFactor
        }
    }

    public let inChannels: Int
    public let outChannels: Int
    public let options: Options
    public let norm1: GroupNorm
    public let conv1: Conv2d
    public let timeEmbProj: Linear?
    public let norm2: GroupNorm
    public let conv2: Conv2d
    public let convShortcut: Conv2d?

    public init(_ scope: WeightScope, inChannels: Int, outChannels: Int, options: Options) throws {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.options = options
        norm1 = try GroupNorm(scope["norm1"], groups: options.groups, channels: inChannels, eps: options.eps)
        conv1 = try Conv2d(scope["conv1"], inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: .same(1))
        if let temb = options.tembChannels {
            timeEmbProj = try Linear(scope["time_emb_proj"], inFeatures: temb, outFeatures: outChannels)
        } else {
            timeEmbProj = nil
        }
        norm2 = try GroupNorm(scope["norm2"], groups: options.groupsOut ?? options.groups, channels: outChannels, eps: options.eps)
        conv2 = try Conv2d(scope["conv2"], inChannels: outChannels, outChannels: outChannels, kernelSize: 3, padding: .same(1))
        convShortcut = inChannels != outChannels
            ? try Conv2d(scope["conv_shortcut"], inChannels: inChannels, outChannels: outChannels, kernelSize: 1)
            : nil
    }

    /// x: [N, Cin, H, W], temb: [N, T] (required iff the block has `time_emb_proj`) → [N, Cout, H, W]
    public func callAsFunction(_ b: any Backend, _ x: Tensor, temb: Tensor? = nil) -> Tensor {
        let act = options.activation
        if act == .silu, let proj = timeEmbProj, let temb, x.rank == 4, conv1.weight.shape[2] % 2 == 1, conv2.weight.shape[2] % 2 == 1,
           b.prefersChannelsLastConvolution(pixels: x.shape[2] * x.shape[3]) {
            return channelsLast(b, x, temb: proj(b, act(b, temb)))
        }
        var h = norm1.activated(b, x, act)
        if let proj = timeEmbProj {
            precondition(temb != nil, "ResnetBlock2D with time_emb_proj needs a time embedding")
            // conv1's bias rides on the time embedding ([N, Cout], tiny), so the feature map takes
            // one broadcast add instead of a bias pass and an add.
            var t = proj(b, act(b, temb!))                           // [N, Cout]
            if let bias = conv1.bias { t = b.add(t, bias.reshaped([1, outChannels])) }
            h = conv1(b, h, bias: nil)                               // [N, Cout, H, W]
            h = b.add(h, t.reshaped([t.shape[0], outChannels, 1, 1]))
        } else {
            h = conv1(b, h)                                          // [N, Cout, H, W]
        }
        h = norm2.activated(b, h, act)
        var y: Tensor
        if let shortcut = convShortcut {
            // conv2's bias rides on the 1×1 shortcut convolution's.
            let bias: Tensor? = switch (shortcut.bias, conv2.bias) {
            case let (s?, c?): b.add(s, c)
            case let (s, c): s ?? c
            }
            y = b.add(shortcut(b, x, bias: bias), conv2(b, h, bias: nil))  // [N, Cout, H, W]
        } else {
            y = b.add(x, conv2(b, h))
        }
        if options.outputScaleFactor != 1 { y = b.scale(y, 1 / options.outputScaleFactor) }
        return y
    }

    /// The same block with both 3×3 convolutions on channels-last maps: each norm + SiLU writes
    /// [N, h·w, C] rows, and each conv output returns to [N, C, h, w] in the pass that adds what
    /// follows it (conv1: its bias + the time embedding per sample; conv2: its bias + the input
    /// or its 1×1 projection). t: time_emb_proj(act(temb)) [N, Cout].
    func channelsLast(_ b: any Backend, _ x: Tensor, temb t: Tensor) -> Tensor {
        let (hgt, wid) = (x.shape[2], x.shape[3])
        let perSample = conv1.bias.map { b.add(t, $0.reshaped([1, outChannels])) } ?? t                   // [N, Cout]
        var h = b.groupNormSiLUTokens(x, groups: norm1.groups, weight: norm1.weight, bias: norm1.bias, eps: norm1.eps)
        h = b.conv2dTokens(h, height: hgt, width: wid, weight: conv1.weight)                               // [N, h·w, Cout]
        h = b.tokensToFeatureMaps(h, height: hgt, width: wid, adding: nil, channelBias: perSample)          // [N, Cout, h, w]
        h = b.groupNormSiLUTokens(h, groups: norm2.groups, weight: norm2.weight, bias: norm2.bias, eps: norm2.eps)
        h = b.conv2dTokens(h, height: hgt, width: wid, weight: conv2.weight)                               // [N, h·w, Cout]
        let residual = convShortcut.map { $0(b, x) } ?? x                                                   // [N, Cout, h, w]
        var y = b.tokensToFeatureMaps(h, height: hgt, width: wid, adding: residual, channelBias: conv2.bias)
        if options.outputScaleFactor != 1 { y = b.scale(y, 1 / options.outputScaleFactor) }
        return y
    }
}
