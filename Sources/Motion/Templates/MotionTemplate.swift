/// One reusable motion recipe for a category: the prompt pattern, the generation parameters and
/// the procedural motion. Prompt patterns may use `{noun}`, `{colour}` and `{colour_noun}`
/// ("navy blue dress", or just "dress" without a colour).
public struct MotionTemplate: Codable, Sendable, Equatable {
    /// Unique id, conventionally "<category>.<motion>", e.g. "apparel.sway".
    public var id: String
    public var category: String
    /// One line for operators: what the clip shows.
    public var summary: String
    public var prompt: String
    public var negativePrompt: String
    /// Aspect preset ("1:1", "3:4", "16:9", …) or "auto" to follow the photo.
    public var aspect: String
    /// Short side of the output in pixels.
    public var resolution: Int
    public var frames: Int
    public var fps: Int
    public var steps: Int
    public var guidance: Double
    public var motionStrength: Double
    public var motion: MotionSpec

    public init(id: String, category: String, summary: String, prompt: String, negativePrompt: String,
                aspect: String, resolution: Int, frames: Int, fps: Int, steps: Int, guidance: Double,
                motionStrength: Double, motion: MotionSpec) {
        self.id = id
        self.category = category
        self.summary = summary
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.aspect = aspect
        self.resolution = resolution
        self.frames = frames
        self.fps = fps
        self.steps = steps
        self.guidance = guidance
        self.motionStrength = motionStrength
        self.motion = motion
    }

    /// The problems that make this template unusable; empty when it is valid.
    public func validationProblems() -> [String] {
        var p: [String] = []
        if id.isEmpty { p.append("empty id") }
        if category.isEmpty { p.append("empty category") }
        if prompt.trimmingCharacters(in: .whitespaces).isEmpty { p.append("empty prompt") }
        if AspectPreset.parse(aspect) == nil && aspect != "auto" {
            p.append("aspect '\(aspect)' is not one of \(AspectPreset.names.joined(separator: ", ")), auto")
        }
        if !(64...2048).contains(resolution) { p.append("resolution \(resolution) outside 64...2048") }
        if !(1...512).contains(frames) { p.append("frames \(frames) outside 1...512") }
        if !(1...60).contains(fps) { p.append("fps \(fps) outside 1...60") }
        if !(1...200).contains(steps) { p.append("steps \(steps) outside 1...200") }
        if !(guidance >= 1 && guidance <= 30) { p.append("guidance \(guidance) outside 1...30") }
        if !(motionStrength >= 0 && motionStrength <= 1) { p.append("motionStrength \(motionStrength) outside 0...1") }
        if motion.effects.isEmpty { p.append("motion has no effects") }
        for e in motion.effects where !(e.amount.isFinite && e.amount >= 0 && e.amount <= 1) {
            p.append("\(e.kind.rawValue) amount \(e.amount) outside 0...1")
        }
        return p
    }
}

import Foundation
