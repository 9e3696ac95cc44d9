import Foundation
import Jobs
import Motion

extension GenerationRequest {
    /// The request as planner overrides (nil fields are the planner's to choose).
    var planOverrides: PlanOverrides {
        PlanOverrides(
            engine: EngineChoice(rawValue: engine.rawValue), category: category, template: template, prompt: prompt,
            negativePrompt: negativePrompt, aspect: aspect, resolution: resolution, frames: frames, fps: fps, steps: steps,
            guidance: guidance, motionStrength: motionStrength, seed: seed.map(UInt64.init),
            formats: outputs.compactMap { Motion.OutputFormat(rawValue: $0.rawValue) })
    }
}

/// How a retry changes the plan, so an attempt does not repeat the one that failed.
///
/// After a QC failure: a new seed, and motion 0.7× gentler per QC failure so far (jitter,
/// distortion and flicker grow with motion). After an out-of-memory failure: the smallest
/// resolution. Other failures retry unchanged. Decided from the attempt number and the previous
/// failure only, so it is the same whichever worker runs the retry.
enum RetryAdjustment {
    static func apply(to overrides: inout PlanOverrides, attempt: Int, previous: JobFailure?, templateStrength: Double?) -> String? {
        guard attempt > 1, let previous else { return nil }
        switch previous.code {
        case "qc_failed":
            let base = overrides.seed ?? 0
            overrides.seed = (base &+ UInt64(attempt) &* 7919) & 0xFFFF_FFFF
            let strength = overrides.motionStrength ?? templateStrength ?? 0.7
            overrides.motionStrength = (strength * pow(0.7, Double(attempt - 1)) * 1000).rounded() / 1000
            return "attempt \(attempt) after a QC failure: new seed, motion strength \(overrides.motionStrength!)"
        case "out_of_memory":
            overrides.resolution = 512
            return "attempt \(attempt) after running out of memory: resolution 512"
        default:
            return nil
        }
    }
}
