// Matches transformers models/clip/modeling_clip.py: CLIPVisionModelWithProjection
// (CLIPVisionEmbeddings without position interpolation, CLIPVisionTransformer, visual_projection).
import ModelIO
import Tensor

/// The CLIP vision tower with its projection: `image_embeds` = visual_projection(post_layernorm(
/// CLS token of the last layer)). Not L2-normalised (the pipeline uses it as is).
///
/// Keys: `vision_model.embeddings.{class_embedding, patch_embedding.weight, position_embedding.weight}`,
/// `vision_model.pre_layrnorm` (sic), `vision_model.encoder.layers.{i}`, `vision_model.post_layernorm`,
/// `visual_projection.weight` (no bias).
public final class CLIPVisionModelWithProjection {
    public let config: CLIPVisionConfig
    let shape: CLIPEncoderShape
    public let classEmbedding: Tensor      // [D]
    public let patchEmbedding: Conv2d      // [D, C, p, p], stride p, no bias
    public let positionEmbedding: Tensor   // [P, D]
    public let preLayrnorm: LayerNorm
    let encoder: CLIPEncoder
    public let postLayernorm: LayerNorm
    public let visualProjection: Linear    // [proj, D], no bias

    public convenience init(config: CLIPVisionConfig, weights provider: any WeightProvider) throws {
        try self.init(config: config, scope: WeightScope(provider))
    }

    public init(config: CLIPVisionConfig, scope: WeightScope) throws {
        self.config = config
        shape = try config.encoderShape
        let d = config.hiddenSize
        let vm = scope["vision_model"]
        let emb = vm["embeddings"]
        classEmbedding = try emb.take("class_embedding", [d])
        patchEmbedding = try Conv2d(emb["patch_embedding"], inChannels: config.numChannels, outChannels: d,
                                    kernelSize: config.patchSize, stride: config.patchSize, bias: false)
        positionEmbedding = try emb["position_embedding"].take("weight", [config.numPositions, d])
        preLayrnorm = try LayerNorm(vm["pre_layrnorm"], dim: d, eps: shape.layerNormEps)
        encoder = try CLIPEncoder(vm["encoder"], shape: shape, count: config.numHiddenLayers)
        postLayernorm = try LayerNorm(vm["post_layernorm"], dim: d, eps: shape.layerNormEps)
        visualProjection = try Linear(scope["visual_projection"], inFeatures: d, outFeatures: config.projectionDim, bias: false)
    }

    /// pixelValues: [N, C, S, S] (S = image_size, already CLIP-normalised) → image_embeds [N, projection_dim].
    public func imageEmbeds(_ b: any Backend, pixelValues: Tensor) throws -> Tensor {
        let s = config.imageSize
        guard pixelValues.rank == 4, pixelValues.shape[1] == config.numChannels,
              pixelValues.shape[2] == s, pixelValues.shape[3] == s, pixelValues.shape[0] > 0 else {
            throw EncoderInputError.invalid(
                input: "pixel_values",
                reason: "shape \(pixelValues.shape) is not [N, \(config.numChannels), \(s), \(s)]")
        }
        let n = pixelValues.shape[0], d = config.hiddenSize
        let g = config.gridSize
        var patches = patchEmbedding(b, pixelValues)                          // [N, D, g, g]
        patches = b.permute(patches.reshaped([n, d, g * g]), [0, 2, 1])       // [N, g², D]
        let cls = classEmbedding.reshaped([1, 1, d])
        let clsBatch = n == 1 ? cls : b.concat(Array(repeating: cls, count: n), axis: 0)  // [N, 1, D]
        var h = b.concat([clsBatch, patches], axis: 1)                        // [N, P, D]
        h = b.add(h, positionEmbedding.reshaped([1, config.numPositions, d]))
        h = preLayrnorm(b, h)
        h = encoder(b, h, causal: false)                                      // [N, P, D]
        let pooled = postLayernorm(b, b.slice(h, axis: 1, range: 0..<1).reshaped([n, d]))  // [N, D]
        return visualProjection(b, pooled)                                    // [N, proj]
    }
}
