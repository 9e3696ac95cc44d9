import Tensor

// The ResNet blocks' 3×3 convolutions channels-last, the layout cuDNN's tensor-core kernels read
// natively (on an H200 its NHWC kernels ran the UNet's convolutions at 625–730 TFLOP/s against
// 513–550 for NCHW operands). No permute passes: GroupNorm+SiLU writes [N, h·w, C] rows
// (`groupNormSiLUTokens`, the transformers' tiled kernel with SiLU), cuDNN convolves NHWC into
// NHWC, and the result returns to NCHW in the tiled pass that adds the bias, the time embedding
// or the residual (`tokensToFeatureMaps(_:height:width:adding:channelBias:)`).
extension CUDABackend {
    /// From `channelsLastMinPixels` (1024) pixels on, with cuDNN: smaller maps keep the measured
    /// NCHW / GEMM paths, where the weight permute per call weighs more.
    public func prefersChannelsLastConvolution(pixels: Int) -> Bool {
        tuning.channelsLastResnets && tuning.cudnnConvolution && tuning.fusedTokens && convolution != nil
            && pixels >= tuning.channelsLastMinPixels && pixels % 8 == 0
    }

    /// cuDNN's NHWC plan on the token rows as they are (`cudnnNHWC`).
    public func conv2dTokens(_ t: Tensor, height h: Int, width w: Int, weight: Tensor) -> Tensor {
        let (n, c, o, k) = (t.shape[0], t.shape[2], weight.shape[0], weight.shape[2])
        precondition(t.rank == 3 && t.shape[1] == h * w && weight.rank == 4 && weight.shape[1] == c && k % 2 == 1 && weight.shape[3] == k,
                     "conv2dTokens: tokens \(t.shape) of \(h)×\(w), weight \(weight.shape)")
        guard tuning.cudnnConvolution, let dnn = convolution else { return composedConv2dTokens(t, height: h, width: w, weight: weight) }
        let key = CUDAConvolution.Key(n: n, c: c, h: h, w: w, o: o, kh: k, kw: k, stride: 1, padH: (k - 1) / 2, padW: (k - 1) / 2)
        let out = empty([n, h * w, o])
        guard cudnnNHWC(dnn, key, t, weight: weight, out: out, label: "cudnn conv2d \(k)×\(k) tokens") else {
            return composedConv2dTokens(t, height: h, width: w, weight: weight)
        }
        return out
    }
}
