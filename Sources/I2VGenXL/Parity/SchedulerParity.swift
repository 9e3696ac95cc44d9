import ModelIO
import Tensor

/// `scheduler`: metadata num_inference_steps (and eta); model_outputs [S, N, 4, h, w], sample
/// [N, 4, h, w] (and variance_noise [S, N, 4, h, w] when eta > 0) → timesteps int64 [S],
/// prev_samples [S, N, 4, h, w], step i consuming model_outputs[i] and the previous result.
public struct SchedulerParity: ParityComponent {
    public init() {}
    public var name: String { "scheduler" }
    public var summary: String { "num_inference_steps, model_outputs [S,...], sample → timesteps, prev_samples" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let scheduler = try DDIMScheduler.load(from: ctx.model)
        let inputs = ctx.inputs, b = ctx.backend
        let steps = try inputs.int("num_inference_steps")
        try ComponentLoader.naming(configFile: inputs.path) {
            do { try scheduler.setTimesteps(steps) } catch ModelConfigError.invalid(_, let reason) {
                throw ModelConfigError.invalid(field: "num_inference_steps", reason: reason)
            }
        }
        let eta = Float(try inputs.double("eta") ?? 0)
        let s = scheduler.timesteps.count
        var sample = try inputs.floatTensor("sample", pattern: [nil, nil, nil, nil], expected: "float32 [N, 4, h, w]", on: b)
        let pattern: [Int?] = [s] + sample.shape.map { Optional($0) }
        let expected = "float32 [\(s), \(sample.shape.map(String.init).joined(separator: ", "))]"
        let outputs = try inputs.floatTensor("model_outputs", pattern: pattern, expected: expected, on: b)
        let noise = eta > 0 ? try inputs.floatTensor("variance_noise", pattern: pattern, expected: expected, on: b) : nil
        var prev: [Tensor] = []
        for (i, t) in scheduler.timesteps.enumerated() {
            let mo = b.slice(outputs, axis: 0, range: i..<(i + 1)).reshaped(sample.shape)
            let z = noise.map { b.slice($0, axis: 0, range: i..<(i + 1)).reshaped(sample.shape) }
            sample = try scheduler.step(b, modelOutput: mo, timestep: t, sample: sample, eta: eta, varianceNoise: z)
            prev.append(sample.reshaped([1] + sample.shape))
        }
        var out = ParityOutputs()
        try out.add("timesteps", int64: scheduler.timesteps, shape: [s])
        try out.add("prev_samples", b.concat(prev, axis: 0), on: b)
        return out
    }
}
