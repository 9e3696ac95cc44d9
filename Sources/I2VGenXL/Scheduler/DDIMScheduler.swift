// Matches diffusers schedulers/scheduling_ddim.py: DDIMScheduler (set_timesteps, step; no
// dynamic thresholding). Coefficients are float32 scalars computed as diffusers' 0-dim float32
// tensors are; the elementwise update runs on the backend.
import Tensor

public enum DDIMPredictionType: String, Sendable {
    case epsilon
    case vPrediction = "v_prediction"
    case sample
}

public enum TimestepSpacing: String, Sendable {
    case leading, trailing, linspace
}

public final class DDIMScheduler {
    public let config: DDIMSchedulerConfig
    public let schedule: NoiseSchedule
    public let predictionType: DDIMPredictionType
    public let spacing: TimestepSpacing
    /// ᾱ used for the step after the last timestep: 1 with set_alpha_to_one, else ᾱ[0].
    public let finalAlphaCumprod: Float
    /// Timesteps of the last `setTimesteps` call, in the order they are used (descending).
    public private(set) var timesteps: [Int] = []
    public private(set) var numInferenceSteps: Int?

    public init(config: DDIMSchedulerConfig) throws {
        guard let p = DDIMPredictionType(rawValue: config.predictionType) else {
            throw ModelConfigError.invalid(field: "prediction_type", reason: "unsupported \"\(config.predictionType)\"")
        }
        guard let s = TimestepSpacing(rawValue: config.timestepSpacing) else {
            throw ModelConfigError.invalid(field: "timestep_spacing", reason: "unsupported \"\(config.timestepSpacing)\"")
        }
        guard !config.thresholding else {
            throw ModelConfigError.invalid(field: "thresholding", reason: "dynamic thresholding is not supported")
        }
        self.config = config
        schedule = try NoiseSchedule(config: config)
        predictionType = p
        spacing = s
        finalAlphaCumprod = config.setAlphaToOne ? 1 : schedule.alphasCumprod[0]
    }

    /// `init_noise_sigma`: the initial latents are not scaled.
    public var initNoiseSigma: Float { 1 }

    /// Chooses `count` timesteps per the config's spacing (diffusers `set_timesteps`).
    public func setTimesteps(_ count: Int) throws {
        let train = config.numTrainTimesteps
        guard count >= 1, count <= train else {
            throw ModelConfigError.invalid(field: "num_inference_steps", reason: "\(count) is outside 1...\(train)")
        }
        timesteps = Self.timesteps(count: count, train: train, spacing: spacing, offset: config.stepsOffset)
        numInferenceSteps = count
    }

    static func timesteps(count n: Int, train: Int, spacing: TimestepSpacing, offset: Int) -> [Int] {
        switch spacing {
        case .leading:
            let ratio = train / n
            return (0..<n).reversed().map { $0 * ratio + offset }
        case .linspace:
            // np.linspace(0, train−1, n).round()[::-1] (float64, endpoint exact, round half to even)
            let stop = Double(train - 1)
            let step = n > 1 ? stop / Double(n - 1) : 0
            let values = (0..<n).map { i in i == n - 1 && n > 1 ? stop : Double(i) * step }
            return values.map { Int($0.rounded(.toNearestOrEven)) }.reversed()
        case .trailing:
            // np.round(np.arange(train, 0, −train/n)) − 1; numpy fills arange as start + i·delta with
            // delta = (start + step) − start, and sizes it ceil((stop − start)/step).
            let start = Double(train)
            let stepValue = -Double(train) / Double(n)
            let length = Int((-start / stepValue).rounded(.up))
            let delta = (start + stepValue) - start
            return (0..<length).map { i in
                let v = i == 0 ? start : (i == 1 ? start + stepValue : start + Double(i) * delta)
                return Int(v.rounded(.toNearestOrEven)) - 1
            }
        }
    }

    /// The timestep the step from `t` lands on: t − train // n (negative past the end).
    public func previousTimestep(_ t: Int) -> Int {
        t - config.numTrainTimesteps / (numInferenceSteps ?? 1)
    }

    /// ᾱ_t, or the final ᾱ for negative t.
    func alphaProd(_ t: Int) -> Float { t >= 0 ? schedule.alphasCumprod[t] : finalAlphaCumprod }

    /// One DDIM step x_t → x_{t−Δ}. modelOutput, sample: same shape ([N, C, h, w] in the pipeline).
    /// With eta > 0, `varianceNoise` (same shape) is the z of σ_t·z — injected, never drawn here.
    public func step(
        _ b: any Backend, modelOutput: Tensor, timestep t: Int, sample: Tensor,
        eta: Float = 0, varianceNoise: Tensor? = nil
    ) throws -> Tensor {
        guard numInferenceSteps != nil else {
            throw ModelConfigError.invalid(field: "num_inference_steps", reason: "setTimesteps was not called before step")
        }
        guard t >= 0, t < config.numTrainTimesteps else {
            throw EncoderInputError.invalid(input: "timestep", reason: "\(t) outside 0..<\(config.numTrainTimesteps)")
        }
        guard modelOutput.shape == sample.shape else {
            throw EncoderInputError.invalid(input: "model_output", reason: "shape \(modelOutput.shape) differs from sample \(sample.shape)")
        }
        if eta > 0 {
            guard let z = varianceNoise else {
                throw EncoderInputError.invalid(input: "variance_noise", reason: "required when eta > 0")
            }
            guard z.shape == sample.shape else {
                throw EncoderInputError.invalid(input: "variance_noise", reason: "shape \(z.shape) differs from sample \(sample.shape)")
            }
        }
        let prevT = previousTimestep(t)
        let aT = alphaProd(t)
        let aPrev = alphaProd(prevT)
        let bT = 1 - aT
        let sqrtA = aT.squareRoot(), sqrtB = bT.squareRoot()

        // pred_original_sample and pred_epsilon
        var x0: Tensor
        let eps: Tensor
        switch predictionType {
        case .epsilon:
            // (sample − √β·ε) / √ᾱ
            x0 = b.binary(.div, b.axpby(1, sample, -sqrtB, modelOutput, constant: 0), b.full([1], value: sqrtA))
            eps = modelOutput
        case .sample:
            x0 = modelOutput
            eps = b.binary(.div, b.axpby(1, sample, -sqrtA, x0, constant: 0), b.full([1], value: sqrtB))
        case .vPrediction:
            x0 = b.axpby(sqrtA, sample, -sqrtB, modelOutput, constant: 0)
            eps = b.axpby(sqrtA, modelOutput, sqrtB, sample, constant: 0)
        }
        if config.clipSample {
            let r = Float(config.clipSampleRange)
            x0 = b.clamp(x0, min: -r, max: r)
        }
        let bPrev = 1 - aPrev
        let variance = (bPrev / bT) * (1 - aT / aPrev)
        let stdDev = eta * variance.squareRoot()
        let direction = (1 - aPrev - stdDev * stdDev).squareRoot()
        var prev = b.axpby(aPrev.squareRoot(), x0, direction, eps, constant: 0)
        if eta > 0, let z = varianceNoise {
            prev = b.axpby(1, prev, stdDev, z, constant: 0)
        }
        return prev
    }
}
