// Composed defaults of the channels-last ResNet ops: permutes around the NCHW ops. Correct on
// every backend; a backend whose convolutions read channels-last natively overrides them (and
// `prefersChannelsLastConvolution`) to skip the permutes.
extension Backend {
    public func prefersChannelsLastConvolution(pixels: Int) -> Bool { false }

    public func conv2dTokens(_ t: Tensor, height: Int, width: Int, weight: Tensor) -> Tensor {
        composedConv2dTokens(t, height: height, width: width, weight: weight)
    }
    public func groupNormSiLUTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        composedGroupNormSiLUTokens(x, groups: groups, weight: weight, bias: bias, eps: eps)
    }
    public func tokensToFeatureMaps(_ t: Tensor, height: Int, width: Int, adding residual: Tensor?, channelBias: Tensor?) -> Tensor {
        composedTokensToFeatureMaps(t, height: height, width: width, adding: residual, channelBias: channelBias)
    }

    /// `conv2dTokens` from permutes and `conv2d`.
    public func composedConv2dTokens(_ t: Tensor, height h: Int, width w: Int, weight: Tensor) -> Tensor {
        let (n, c, o, k) = (t.shape[0], t.shape[2], weight.shape[0], weight.shape[2])
        precondition(t.rank == 3 && t.shape[1] == h * w && weight.rank == 4 && weight.shape[1] == c && k % 2 == 1 && weight.shape[3] == k,
                     "conv2dTokens: tokens \(t.shape) of \(h)×\(w), weight \(weight.shape)")
        let maps = permute(t.reshaped([n, h, w, c]), [0, 3, 1, 2])
        let y = conv2d(maps, weight: weight, bias: nil, stride: 1, padding: .same((k - 1) / 2))
        return permute(y, [0, 2, 3, 1]).reshaped([n, h * w, o])
    }

    /// `groupNormSiLUTokens` from `groupNormSiLU` and a permute.
    public func composedGroupNormSiLUTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        precondition(x.rank == 4, "groupNormSiLUTokens: \(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return permute(groupNormSiLU(x, groups: groups, weight: weight, bias: bias, eps: eps), [0, 2, 3, 1]).reshaped([n, h * w, c])
    }

    /// `tokensToFeatureMaps(_:height:width:adding:channelBias:)` from a permute and adds.
    public func composedTokensToFeatureMaps(_ t: Tensor, height h: Int, width w: Int, adding residual: Tensor?,
                                            channelBias: Tensor?) -> Tensor {
        let (n, c) = (t.shape[0], t.shape[2])
        precondition(t.rank == 3 && t.shape[1] == h * w && (residual?.shape ?? [n, c, h, w]) == [n, c, h, w]
                      && (channelBias.map { $0.count == c || $0.count == n * c } ?? true),
                     "tokensToFeatureMaps: tokens \(t.shape) of \(h)×\(w), residual \(residual?.shape ?? []), bias \(channelBias?.shape ?? [])")
        var maps = permute(t.reshaped([n, h, w, c]), [0, 3, 1, 2])
        if let residual { maps = add(maps, residual) }
        if let channelBias { maps = add(maps, channelBias.reshaped([channelBias.count == c ? 1 : n, c, 1, 1])) }
        return maps
    }
}
