// Matches diffusers models/autoencoders/autoencoder_kl.py: AutoencoderKL.__init__ (defaults included).

/// `vae/config.json` of a diffusers pipeline folder.
public struct AutoencoderKLConfig: Decodable, Sendable, Equatable {
    public var inChannels: Int = 3
    public var outChannels: Int = 3
    public var downBlockTypes: [String] = ["DownEncoderBlock2D"]
    public var upBlockTypes: [String] = ["UpDecoderBlock2D"]
    public var blockOutChannels: [Int] = [64]
    public var layersPerBlock: Int = 1
    public var actFn: String = "silu"
    public var latentChannels: Int = 4
    public var normNumGroups: Int = 32
    public var sampleSize: Int = 32
    public var scalingFactor: Double = 0.18215
    public var shiftFactor: Double? = nil
    public var forceUpcast: Bool = true
    public var useQuantConv: Bool = true
    public var usePostQuantConv: Bool = true
    public var midBlockAddAttention: Bool = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", downBlockTypes = "down_block_types"
        case upBlockTypes = "up_block_types", blockOutChannels = "block_out_channels"
        case layersPerBlock = "layers_per_block", actFn = "act_fn", latentChannels = "latent_channels"
        case normNumGroups = "norm_num_groups", sampleSize = "sample_size", scalingFactor = "scaling_factor"
        case shiftFactor = "shift_factor", forceUpcast = "force_upcast", useQuantConv = "use_quant_conv"
        case usePostQuantConv = "use_post_quant_conv", midBlockAddAttention = "mid_block_add_attention"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AutoencoderKLConfig()
        inChannels = try c.decodeIfPresent(Int.self, forKey: .inChannels) ?? d.inChannels
        outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels) ?? d.outChannels
        downBlockTypes = try c.decodeIfPresent([String].self, forKey: .downBlockTypes) ?? d.downBlockTypes
        upBlockTypes = try c.decodeIfPresent([String].self, forKey: .upBlockTypes) ?? d.upBlockTypes
        blockOutChannels = try c.decodeIfPresent([Int].self, forKey: .blockOutChannels) ?? d.blockOutChannels
        layersPerBlock = try c.decodeIfPresent(Int.self, forKey: .layersPerBlock) ?? d.layersPerBlock
        actFn = try c.decodeIfPresent(String.self, forKey: .actFn) ?? d.actFn
        latentChannels = try c.decodeIfPresent(Int.self, forKey: .latentChannels) ?? d.latentChannels
        normNumGroups = try c.decodeIfPresent(Int.self, forKey: .normNumGroups) ?? d.normNumGroups
        sampleSize = try Self.decodeSampleSize(c) ?? d.sampleSize
        scalingFactor = try c.decodeIfPresent(Double.self, forKey: .scalingFactor) ?? d.scalingFactor
        shiftFactor = try c.decodeIfPresent(Double.self, forKey: .shiftFactor)
        forceUpcast = try c.decodeIfPresent(Bool.self, forKey: .forceUpcast) ?? d.forceUpcast
        useQuantConv = try c.decodeIfPresent(Bool.self, forKey: .useQuantConv) ?? d.useQuantConv
        usePostQuantConv = try c.decodeIfPresent(Bool.self, forKey: .usePostQuantConv) ?? d.usePostQuantConv
        midBlockAddAttention = try c.decodeIfPresent(Bool.self, forKey: .midBlockAddAttention) ?? d.midBlockAddAttention
    }

    /// `sample_size` may be an int or a [h, w] pair in diffusers configs; only its first entry is kept.
    private static func decodeSampleSize(_ c: KeyedDecodingContainer<CodingKeys>) throws -> Int? {
        if let pair = try? c.decodeIfPresent([Int].self, forKey: .sampleSize), let first = pair.first { return first }
        return try c.decodeIfPresent(Int.self, forKey: .sampleSize)
    }

    /// 2^(len(block_out_channels) − 1): pixels per latent along each axis.
    public var scaleFactor: Int { 1 << max(blockOutChannels.count - 1, 0) }

    /// Checks the structure this implementation builds (the block kinds diffusers' AutoencoderKL
    /// takes from the config, and consistent channel/group counts).
    public func validate() throws {
        guard !blockOutChannels.isEmpty else {
            throw ModelConfigError.invalid(field: "block_out_channels", reason: "empty")
        }
        guard downBlockTypes.count == blockOutChannels.count else {
            throw ModelConfigError.invalid(field: "down_block_types", reason: "\(downBlockTypes.count) entries for \(blockOutChannels.count) block_out_channels")
        }
        guard upBlockTypes.count == blockOutChannels.count else {
            throw ModelConfigError.invalid(field: "up_block_types", reason: "\(upBlockTypes.count) entries for \(blockOutChannels.count) block_out_channels")
        }
        if let bad = downBlockTypes.first(where: { $0 != "DownEncoderBlock2D" }) {
            throw ModelConfigError.invalid(field: "down_block_types", reason: "unsupported block \"\(bad)\" (only DownEncoderBlock2D)")
        }
        if let bad = upBlockTypes.first(where: { $0 != "UpDecoderBlock2D" }) {
            throw ModelConfigError.invalid(field: "up_block_types", reason: "unsupported block \"\(bad)\" (only UpDecoderBlock2D)")
        }
        guard layersPerBlock >= 1 else {
            throw ModelConfigError.invalid(field: "layers_per_block", reason: "\(layersPerBlock) (must be ≥ 1)")
        }
        guard normNumGroups > 0, blockOutChannels.allSatisfy({ $0 > 0 && $0 % normNumGroups == 0 }) else {
            throw ModelConfigError.invalid(field: "norm_num_groups", reason: "\(normNumGroups) does not divide every block_out_channels entry \(blockOutChannels)")
        }
        guard inChannels > 0, outChannels > 0, latentChannels > 0 else {
            throw ModelConfigError.invalid(field: "latent_channels", reason: "channel counts must be positive")
        }
    }
}
