// Matches diffusers src/diffusers/models/unets/unet_i2vgen_xl.py: I2VGenXLUNet.__init__ (config)

/// The `unet/config.json` of a diffusers I2VGen-XL folder. Field names follow diffusers'.
public struct I2VGenXLUNetConfig: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var downBlockTypes: [String]
    public var upBlockTypes: [String]
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int
    public var normNumGroups: Int
    public var crossAttentionDim: Int
    /// Head dimension of every spatial/temporal transformer. diffusers passes it as the blocks'
    /// "num_attention_heads", which then build `C / attentionHeadDim` heads of `attentionHeadDim`.
    public var attentionHeadDim: Int
    public var sampleSize: Int?

    public init(inChannels: Int = 4, outChannels: Int = 4,
                downBlockTypes: [String] = ["CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "DownBlock3D"],
                upBlockTypes: [String] = ["UpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D"],
                blockOutChannels: [Int] = [320, 640, 1280, 1280], layersPerBlock: Int = 2, normNumGroups: Int = 32,
                crossAttentionDim: Int = 1024, attentionHeadDim: Int = 64, sampleSize: Int? = 32) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.downBlockTypes = downBlockTypes
        self.upBlockTypes = upBlockTypes
        self.blockOutChannels = blockOutChannels
        self.layersPerBlock = layersPerBlock
        self.normNumGroups = normNumGroups
        self.crossAttentionDim = crossAttentionDim
        self.attentionHeadDim = attentionHeadDim
        self.sampleSize = sampleSize
    }

    /// The `ali-vilab/i2vgen-xl` configuration.
    public static let real = I2VGenXLUNetConfig()

    /// Width of the timestep/fps embedding MLPs (`block_out_channels[0] * 4`).
    public var timeEmbedDim: Int { blockOutChannels[0] * 4 }

    /// Number of ×2 upsamplers (every up block but the last).
    public var numUpsamplers: Int { upBlockTypes.count - 1 }

    static let downTypes: Set<String> = ["CrossAttnDownBlock3D", "DownBlock3D"]
    static let upTypes: Set<String> = ["CrossAttnUpBlock3D", "UpBlock3D"]

    /// Checks the structural invariants diffusers relies on; throws naming the offending field.
    public func validate() throws {
        func fail(_ field: String, _ why: String) -> ModelConfigError { .invalid(field: field, reason: why) }
        guard !blockOutChannels.isEmpty else { throw fail("block_out_channels", "is empty") }
        guard downBlockTypes.count == blockOutChannels.count else {
            throw fail("down_block_types", "has \(downBlockTypes.count) entries but block_out_channels has \(blockOutChannels.count)")
        }
        guard upBlockTypes.count == downBlockTypes.count else {
            throw fail("up_block_types", "has \(upBlockTypes.count) entries but down_block_types has \(downBlockTypes.count)")
        }
        if let bad = downBlockTypes.first(where: { !Self.downTypes.contains($0) }) {
            throw fail("down_block_types", "unsupported block type \(bad)")
        }
        if let bad = upBlockTypes.first(where: { !Self.upTypes.contains($0) }) {
            throw fail("up_block_types", "unsupported block type \(bad)")
        }
        guard layersPerBlock >= 1 else { throw fail("layers_per_block", "must be at least 1") }
        guard inChannels >= 1, outChannels >= 1 else { throw fail("in_channels", "must be positive") }
        guard crossAttentionDim >= 1 else { throw fail("cross_attention_dim", "must be positive") }
        guard normNumGroups >= 1 else { throw fail("norm_num_groups", "must be positive") }
        guard attentionHeadDim >= 1 else { throw fail("attention_head_dim", "must be positive") }
        for c in blockOutChannels {
            guard c > 0, c % normNumGroups == 0 else {
                throw fail("block_out_channels", "channel count \(c) is not a positive multiple of norm_num_groups \(normNumGroups)")
            }
            guard c % attentionHeadDim == 0, c >= attentionHeadDim else {
                throw fail("block_out_channels", "channel count \(c) is not a multiple of attention_head_dim \(attentionHeadDim)")
            }
        }
    }
}

extension I2VGenXLUNetConfig: Decodable {
    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels"
        case downBlockTypes = "down_block_types", upBlockTypes = "up_block_types"
        case blockOutChannels = "block_out_channels", layersPerBlock = "layers_per_block"
        case normNumGroups = "norm_num_groups", crossAttentionDim = "cross_attention_dim"
        case attentionHeadDim = "attention_head_dim", sampleSize = "sample_size"
    }

    /// Missing keys take diffusers' constructor defaults, as `from_pretrained` does.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = I2VGenXLUNetConfig()
        inChannels = try c.decodeIfPresent(Int.self, forKey: .inChannels) ?? d.inChannels
        outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels) ?? d.outChannels
        downBlockTypes = try c.decodeIfPresent([String].self, forKey: .downBlockTypes) ?? d.downBlockTypes
        upBlockTypes = try c.decodeIfPresent([String].self, forKey: .upBlockTypes) ?? d.upBlockTypes
        blockOutChannels = try c.decodeIfPresent([Int].self, forKey: .blockOutChannels) ?? d.blockOutChannels
        layersPerBlock = try c.decodeIfPresent(Int.self, forKey: .layersPerBlock) ?? d.layersPerBlock
        normNumGroups = try c.decodeIfPresent(Int.self, forKey: .normNumGroups) ?? d.normNumGroups
        crossAttentionDim = try c.decodeIfPresent(Int.self, forKey: .crossAttentionDim) ?? d.crossAttentionDim
        if let list = try? c.decodeIfPresent([Int].self, forKey: .attentionHeadDim) {
            // diffusers feeds attention_head_dim to transformer_in as one int; a list cannot work there.
            guard let first = list.first, list.allSatisfy({ $0 == first }) else {
                throw DecodingError.dataCorruptedError(forKey: .attentionHeadDim, in: c,
                                                       debugDescription: "a per-block list is not supported (transformer_in needs one value)")
            }
            attentionHeadDim = first
        } else {
            attentionHeadDim = try c.decodeIfPresent(Int.self, forKey: .attentionHeadDim) ?? d.attentionHeadDim
        }
        sampleSize = try? c.decodeIfPresent(Int.self, forKey: .sampleSize)
    }

}
