// Matches transformers models/clip/configuration_clip.py: CLIPVisionConfig (defaults included).

/// `image_encoder/config.json` of a diffusers pipeline folder (CLIPVisionModelWithProjection).
public struct CLIPVisionConfig: Decodable, Sendable, Equatable {
    public var hiddenSize: Int = 768
    public var intermediateSize: Int = 3072
    public var projectionDim: Int = 512
    public var numHiddenLayers: Int = 12
    public var numAttentionHeads: Int = 12
    public var numChannels: Int = 3
    public var imageSize: Int = 224
    public var patchSize: Int = 32
    public var hiddenAct: String = "quick_gelu"
    public var layerNormEps: Double = 1e-5

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size", projectionDim = "projection_dim"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numChannels = "num_channels", imageSize = "image_size", patchSize = "patch_size"
        case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CLIPVisionConfig()
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
        numChannels = try c.decodeIfPresent(Int.self, forKey: .numChannels) ?? d.numChannels
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? d.imageSize
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? d.patchSize
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
        layerNormEps = try c.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? d.layerNormEps
    }

    /// Patches per side (image_size // patch_size).
    public var gridSize: Int { imageSize / patchSize }
    /// Tokens per image: one per patch plus the class token.
    public var numPositions: Int { gridSize * gridSize + 1 }

    var encoderShape: CLIPEncoderShape {
        get throws {
            guard patchSize > 0, imageSize >= patchSize else {
                throw ModelConfigError.invalid(field: "patch_size", reason: "\(patchSize) does not fit image_size \(imageSize)")
            }
            return try CLIPEncoderShape(
                hiddenSize: hiddenSize, intermediateSize: intermediateSize, heads: numAttentionHeads,
                layers: numHiddenLayers, activation: Activation(configName: hiddenAct, field: "hidden_act"),
                layerNormEps: Float(layerNormEps))
        }
    }
}
