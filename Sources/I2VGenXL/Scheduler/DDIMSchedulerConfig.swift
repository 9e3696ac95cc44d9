// Matches diffusers schedulers/scheduling_ddim.py: DDIMScheduler.__init__ (defaults included).

/// `scheduler/scheduler_config.json` of a diffusers pipeline folder.
public struct DDIMSchedulerConfig: Decodable, Sendable, Equatable {
    public var numTrainTimesteps: Int = 1000
    public var betaStart: Double = 0.0001
    public var betaEnd: Double = 0.02
    public var betaSchedule: String = "linear"
    public var trainedBetas: [Double]? = nil
    public var clipSample: Bool = true
    public var setAlphaToOne: Bool = true
    public var stepsOffset: Int = 0
    public var predictionType: String = "epsilon"
    public var thresholding: Bool = false
    public var dynamicThresholdingRatio: Double = 0.995
    public var clipSampleRange: Double = 1.0
    public var sampleMaxValue: Double = 1.0
    public var timestepSpacing: String = "leading"
    public var rescaleBetasZeroSnr: Bool = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case numTrainTimesteps = "num_train_timesteps", betaStart = "beta_start", betaEnd = "beta_end"
        case betaSchedule = "beta_schedule", trainedBetas = "trained_betas", clipSample = "clip_sample"
        case setAlphaToOne = "set_alpha_to_one", stepsOffset = "steps_offset", predictionType = "prediction_type"
        case thresholding, dynamicThresholdingRatio = "dynamic_thresholding_ratio"
        case clipSampleRange = "clip_sample_range", sampleMaxValue = "sample_max_value"
        case timestepSpacing = "timestep_spacing", rescaleBetasZeroSnr = "rescale_betas_zero_snr"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DDIMSchedulerConfig()
        numTrainTimesteps = try c.decodeIfPresent(Int.self, forKey: .numTrainTimesteps) ?? d.numTrainTimesteps
        betaStart = try c.decodeIfPresent(Double.self, forKey: .betaStart) ?? d.betaStart
        betaEnd = try c.decodeIfPresent(Double.self, forKey: .betaEnd) ?? d.betaEnd
        betaSchedule = try c.decodeIfPresent(String.self, forKey: .betaSchedule) ?? d.betaSchedule
        trainedBetas = try c.decodeIfPresent([Double].self, forKey: .trainedBetas)
        clipSample = try c.decodeIfPresent(Bool.self, forKey: .clipSample) ?? d.clipSample
        setAlphaToOne = try c.decodeIfPresent(Bool.self, forKey: .setAlphaToOne) ?? d.setAlphaToOne
        stepsOffset = try c.decodeIfPresent(Int.self, forKey: .stepsOffset) ?? d.stepsOffset
        predictionType = try c.decodeIfPresent(String.self, forKey: .predictionType) ?? d.predictionType
        thresholding = try c.decodeIfPresent(Bool.self, forKey: .thresholding) ?? d.thresholding
        dynamicThresholdingRatio = try c.decodeIfPresent(Double.self, forKey: .dynamicThresholdingRatio) ?? d.dynamicThresholdingRatio
        clipSampleRange = try c.decodeIfPresent(Double.self, forKey: .clipSampleRange) ?? d.clipSampleRange
        sampleMaxValue = try c.decodeIfPresent(Double.self, forKey: .sampleMaxValue) ?? d.sampleMaxValue
        timestepSpacing = try c.decodeIfPresent(String.self, forKey: .timestepSpacing) ?? d.timestepSpacing
        rescaleBetasZeroSnr = try c.decodeIfPresent(Bool.self, forKey: .rescaleBetasZeroSnr) ?? d.rescaleBetasZeroSnr
    }
}
