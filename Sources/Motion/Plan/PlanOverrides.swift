/// Explicit choices that take precedence over what the planner would pick. Every field is
/// optional; a nil field is decided by the planner (and the plan's `reasons` say how).
public struct PlanOverrides: Codable, Sendable, Equatable {
    public var engine: EngineChoice?
    /// A category id ("apparel"); skips detection.
    public var category: String?
    /// A template id ("apparel.sway"); implies its category unless `category` is also given.
    public var template: String?
    public var prompt: String?
    public var negativePrompt: String?
    /// Aspect preset "1:1", "3:4", "4:3", "9:16", "16:9", "4:5", "7:9" or "auto" (from the image).
    public var aspect: String?
    /// Short side of the output in pixels when width/height are not both given.
    public var resolution: Int?
    public var width: Int?
    public var height: Int?
    public var frames: Int?
    public var fps: Int?
    public var steps: Int?
    public var guidance: Double?
    public var motionStrength: Double?
    public var seed: UInt64?
    /// Whether the clip must loop seamlessly (last frame continuous with the first).
    public var loop: Bool?
    public var formats: [OutputFormat]?

    public init(engine: EngineChoice? = nil, category: String? = nil, template: String? = nil,
                prompt: String? = nil, negativePrompt: String? = nil, aspect: String? = nil,
                resolution: Int? = nil, width: Int? = nil, height: Int? = nil, frames: Int? = nil,
                fps: Int? = nil, steps: Int? = nil, guidance: Double? = nil, motionStrength: Double? = nil,
                seed: UInt64? = nil, loop: Bool? = nil, formats: [OutputFormat]? = nil) {
        self.engine = engine
        self.category = category
        self.template = template
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.aspect = aspect
        self.resolution = resolution
        self.width = width
        self.height = height
        self.frames = frames
        self.fps = fps
        self.steps = steps
        self.guidance = guidance
        self.motionStrength = motionStrength
        self.seed = seed
        self.loop = loop
        self.formats = formats
    }
}
