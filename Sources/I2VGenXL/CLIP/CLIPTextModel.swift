// Matches transformers models/clip/modeling_clip.py: CLIPTextModel (CLIPTextTransformer with
// CLIPTextEmbeddings), as diffusers' I2VGenXLPipeline.encode_prompt uses it.
import ModelIO
import Tensor

/// The CLIP text tower. `encode` returns what the pipeline feeds the UNet:
/// `final_layer_norm(hidden_states[-(clipSkip + 1)])` — with the pipeline's default clip_skip 1,
/// the output of the penultimate layer, then the final layer norm. The layers after that are
/// loaded (strict loading checks every tensor) but never computed.
///
/// Keys live under `text_model.` (the published checkpoint); folders saved by transformers 5 may
/// omit that prefix, and either spelling is accepted (see `rootScope`).
public final class CLIPTextModel {
    public let config: CLIPTextConfig
    let shape: CLIPEncoderShape
    public let tokenEmbedding: Tensor     // [V, D]
    public let positionEmbedding: Tensor  // [P, D]
    let encoder: CLIPEncoder
    public let finalLayerNorm: LayerNorm

    /// The scope the text tower's keys live under: `text_model` when the provider stores the
    /// prefixed spelling or stores neither, "" when it stores only the unprefixed one.
    public static func rootScope(_ provider: any WeightProvider) -> WeightScope {
        let probe = "embeddings.token_embedding.weight"
        if !provider.contains("text_model." + probe) && provider.contains(probe) {
            return WeightScope(provider)
        }
        return WeightScope(provider, prefix: "text_model")
    }

    /// Binds every tensor of the text tower from `provider` (shape-checked).
    public convenience init(config: CLIPTextConfig, weights provider: any WeightProvider) throws {
        try self.init(config: config, scope: Self.rootScope(provider))
    }

    public init(config: CLIPTextConfig, scope: WeightScope) throws {
        self.config = config
        shape = try config.encoderShape
        let d = config.hiddenSize
        let emb = scope["embeddings"]
        tokenEmbedding = try emb["token_embedding"].take("weight", [config.vocabSize, d])
        positionEmbedding = try emb["position_embedding"].take("weight", [config.maxPositionEmbeddings, d])
        encoder = try CLIPEncoder(scope["encoder"], shape: shape, count: config.numHiddenLayers)
        finalLayerNorm = try LayerNorm(scope["final_layer_norm"], dim: d, eps: shape.layerNormEps)
    }

    /// ids: N sequences of equal length L ≤ max_position_embeddings → [N, L, D].
    /// `clipSkip` 1 (the pipeline default) uses the penultimate layer; 0 uses the last layer.
    public func encode(_ b: any Backend, ids: [[Int]], clipSkip: Int = 1) throws -> Tensor {
        guard let length = ids.first?.count, length > 0 else {
            throw EncoderInputError.invalid(input: "input_ids", reason: "no token sequences")
        }
        guard ids.allSatisfy({ $0.count == length }) else {
            throw EncoderInputError.invalid(input: "input_ids", reason: "sequences differ in length")
        }
        guard length <= config.maxPositionEmbeddings else {
            throw EncoderInputError.invalid(input: "input_ids", reason: "length \(length) exceeds max_position_embeddings \(config.maxPositionEmbeddings)")
        }
        if let bad = ids.lazy.flatMap({ $0 }).first(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw EncoderInputError.invalid(input: "input_ids", reason: "token id \(bad) outside the vocabulary [0, \(config.vocabSize))")
        }
        guard clipSkip >= 0, clipSkip <= config.numHiddenLayers else {
            throw EncoderInputError.invalid(input: "clip_skip", reason: "\(clipSkip) is outside 0...\(config.numHiddenLayers)")
        }
        let n = ids.count, d = config.hiddenSize
        let tokens = b.embedding(ids.flatMap { $0 }, table: tokenEmbedding).reshaped([n, length, d])  // [N, L, D]
        let positions = b.slice(positionEmbedding, axis: 0, range: 0..<length)                     // [L, D]
        var h = b.add(tokens, positions)                                                            // [N, L, D]
        for layer in encoder.layers.prefix(config.numHiddenLayers - clipSkip) {
            h = layer(b, h, causal: true)
        }
        return finalLayerNorm(b, h)  // [N, L, D]
    }
}
