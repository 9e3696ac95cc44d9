// Matches diffusers schedulers/scheduling_ddim.py: betas_for_alpha_bar ("cosine"),
// rescale_zero_terminal_snr and the beta/alpha construction in DDIMScheduler.__init__, with the
// float32/float64 arithmetic of the torch CPU ops they call.
import Foundation

/// The training noise schedule: betas and ᾱ (alphas_cumprod), float32 like diffusers' tensors.
public struct NoiseSchedule: Sendable, Equatable {
    public let betas: [Float]
    public let alphasCumprod: [Float]

    public init(config c: DDIMSchedulerConfig) throws {
        let n = c.numTrainTimesteps
        guard n >= 2 else {
            throw ModelConfigError.invalid(field: "num_train_timesteps", reason: "\(n) (must be ≥ 2)")
        }
        var betas: [Float]
        if let trained = c.trainedBetas {
            guard trained.count == n else {
                throw ModelConfigError.invalid(field: "trained_betas", reason: "\(trained.count) values for \(n) timesteps")
            }
            betas = trained.map { Float($0) }
        } else {
            switch c.betaSchedule {
            case "linear":
                betas = Self.torchLinspace(Float(c.betaStart), Float(c.betaEnd), n)
            case "scaled_linear":
                betas = Self.torchLinspace(Float(c.betaStart.squareRoot()), Float(c.betaEnd.squareRoot()), n).map { $0 * $0 }
            case "squaredcos_cap_v2":
                betas = Self.cosineBetas(n)
            default:
                throw ModelConfigError.invalid(field: "beta_schedule", reason: "unsupported schedule \"\(c.betaSchedule)\"")
            }
        }
        if c.rescaleBetasZeroSnr { betas = Self.rescaleZeroTerminalSNR(betas) }
        self.betas = betas
        if Self.usesTorchTable(c) {
            alphasCumprod = TorchAlphasCumprod.cosineZeroSNR1000.map { Float(bitPattern: $0) }
        } else {
            alphasCumprod = Self.computedAlphasCumprod(betas)
        }
    }

    /// ᾱ = cumprod(1 − β) as computed here (IEEE arithmetic throughout).
    static func computedAlphasCumprod(_ betas: [Float]) -> [Float] { cumprod(betas.map { 1 - $0 }) }

    /// The real I2VGen-XL schedule, whose ᾱ comes from torch's own dump (see `TorchAlphasCumprod`).
    static func usesTorchTable(_ c: DDIMSchedulerConfig) -> Bool {
        c.trainedBetas == nil && c.betaSchedule == "squaredcos_cap_v2" && c.rescaleBetasZeroSnr
            && c.numTrainTimesteps == TorchAlphasCumprod.cosineZeroSNR1000.count
    }

    /// `betas_for_alpha_bar(n, max_beta=0.999, "cosine")`: float64 Python arithmetic, stored as float32.
    static func cosineBetas(_ n: Int) -> [Float] {
        func alphaBar(_ t: Double) -> Double {
            let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
            return c * c
        }
        return (0..<n).map { i in
            let t1 = Double(i) / Double(n)
            let t2 = Double(i + 1) / Double(n)
            return Float(min(1 - alphaBar(t2) / alphaBar(t1), 0.999))
        }
    }

    /// `torch.linspace(start, end, n, dtype=float32)` on CPU: step in float32; the first half
    /// counts up from `start`, the second half down from `end`, each value one fused
    /// multiply-add (the compiled kernel contracts `start + step·i`).
    static func torchLinspace(_ start: Float, _ end: Float, _ n: Int) -> [Float] {
        if n == 1 { return [start] }
        let step = (end - start) / Float(n - 1)
        let halfway = n / 2
        return (0..<n).map { i in
            i < halfway ? start.addingProduct(step, Float(i)) : end.addingProduct(-step, Float(n - i - 1))
        }
    }

    /// `torch.cumprod` of float32 on CPU: accumulates in double, rounds each output to float32.
    static func cumprod(_ x: [Float]) -> [Float] {
        var acc = 1.0
        return x.map { v in
            acc *= Double(v)
            return Float(acc)
        }
    }

    /// `rescale_zero_terminal_snr` (Lin et al. 2023, Alg. 1) in float32 tensor arithmetic.
    static func rescaleZeroTerminalSNR(_ betas: [Float]) -> [Float] {
        var s = cumprod(betas.map { 1 - $0 }).map { $0.squareRoot() }   // √ᾱ
        let s0 = s[0], sT = s[s.count - 1]
        let factor = s0 / (s0 - sT)
        for i in s.indices { s[i] = (s[i] - sT) * factor }
        let ab = s.map { $0 * $0 }
        var alphas = [ab[0]]
        for i in 1..<ab.count { alphas.append(ab[i] / ab[i - 1]) }
        return alphas.map { 1 - $0 }
    }
}
