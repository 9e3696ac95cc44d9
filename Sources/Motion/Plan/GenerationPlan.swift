/// Which engine turns the plan into frames.
public enum Engine: String, Codable, Sendable, CaseIterable {
    /// The procedural renderer in this module (`TemplateRenderer`); needs no model weights.
    case template
    /// The I2VGen-XL diffusion model.
    case i2vgenXL = "i2vgen-xl"
}

/// What the caller asked for: a fixed engine or "diffusion when its weights are installed".
public enum EngineChoice: String, Codable, Sendable, CaseIterable {
    case auto
    case template
    case i2vgenXL = "i2vgen-xl"
}

/// Container formats the service may produce from the frames.
public enum OutputFormat: String, Codable, Sendable, CaseIterable {
    case mp4, webp, gif
}

/// The category decision: which kind of product this is, how sure, and why.
public struct CategoryDecision: Codable, Sendable, Equatable {
    /// A category id from `categories.json`, e.g. "apparel"; "general" when nothing fits.
    public var category: String
    /// 0...1; 1 when the category was given explicitly.
    public var confidence: Double
    /// Human-readable evidence, strongest first ("title word '连衣裙' → apparel (+3.0)").
    public var reasons: [String]
    /// The best-scoring candidates, highest first (at most five).
    public var candidates: [CategoryScore]

    public init(category: String, confidence: Double, reasons: [String], candidates: [CategoryScore] = []) {
        self.category = category
        self.confidence = confidence
        self.reasons = reasons
        self.candidates = candidates
    }
}

public struct CategoryScore: Codable, Sendable, Equatable {
    public var category: String
    public var score: Double
    public init(category: String, score: Double) {
        self.category = category
        self.score = score
    }
}

/// A named colour found in the photo, used for prompt words.
public struct ColourWord: Codable, Sendable, Equatable {
    /// English colour name, e.g. "navy blue".
    public var name: String
    /// Share of the foreground (0...1) this colour covers.
    public var share: Double
    /// sRGB centre of the cluster, "#rrggbb".
    public var hex: String
    public init(name: String, share: Double, hex: String) {
        self.name = name
        self.share = share
        self.hex = hex
    }
}

/// What the planner learned about the product itself.
public struct ProductAttributes: Codable, Sendable, Equatable {
    /// The product noun used in the prompt ("dress", "smartphone"), from the title when possible.
    public var noun: String
    /// Dominant foreground colours, largest first (empty without an image).
    public var colours: [ColourWord]
    /// Whether the photo looks like a studio shot on a plain background (nil without an image).
    public var plainBackground: Bool?
    /// Source image width / height (nil without an image).
    public var imageAspect: Double?

    public init(noun: String, colours: [ColourWord] = [], plainBackground: Bool? = nil, imageAspect: Double? = nil) {
        self.noun = noun
        self.colours = colours
        self.plainBackground = plainBackground
        self.imageAspect = imageAspect
    }
}

/// How the frames are delivered.
public struct OutputOptions: Codable, Sendable, Equatable {
    public var formats: [OutputFormat]
    /// Whether a poster (first frame) image is written beside the video.
    public var poster: Bool

    public init(formats: [OutputFormat] = [.mp4, .webp], poster: Bool = true) {
        self.formats = formats
        self.poster = poster
    }
}

/// Everything needed to make one product video, with the reason for every choice. It is stored
/// with each job; rendering the same plan on the same image reproduces the same frames.
public struct GenerationPlan: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    /// Schema version of this value (`currentVersion` when written by this code).
    public var version: Int
    public var engine: Engine
    public var category: CategoryDecision
    /// Id of the motion template in the `TemplateLibrary`, e.g. "apparel.sway".
    public var templateID: String
    public var title: String
    public var product: ProductAttributes
    public var prompt: String
    public var negativePrompt: String
    /// Output frame size in pixels (even; multiples of 64 for the diffusion engine).
    public var width: Int
    public var height: Int
    public var frames: Int
    public var fps: Int
    /// Diffusion steps and classifier-free guidance (recorded for the template engine too, so a
    /// plan can be re-run on the diffusion engine unchanged).
    public var steps: Int
    public var guidance: Double
    /// 0...1 scale applied to the template's motion amplitudes (and the diffusion motion cue).
    public var motionStrength: Double
    public var seed: UInt64
    public var output: OutputOptions
    /// The procedural motion the template renderer plays.
    public var motion: MotionSpec
    /// Why each choice was made, keyed by field name: "engine", "category", "template",
    /// "prompt", "negativePrompt", "size", "frames", "fps", "steps", "guidance",
    /// "motionStrength", "seed", "output", "motion".
    public var reasons: [String: String]

    public init(version: Int = GenerationPlan.currentVersion, engine: Engine, category: CategoryDecision,
                templateID: String, title: String, product: ProductAttributes, prompt: String,
                negativePrompt: String, width: Int, height: Int, frames: Int, fps: Int, steps: Int,
                guidance: Double, motionStrength: Double, seed: UInt64, output: OutputOptions,
                motion: MotionSpec, reasons: [String: String]) {
        self.version = version
        self.engine = engine
        self.category = category
        self.templateID = templateID
        self.title = title
        self.product = product
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.width = width
        self.height = height
        self.frames = frames
        self.fps = fps
        self.steps = steps
        self.guidance = guidance
        self.motionStrength = motionStrength
        self.seed = seed
        self.output = output
        self.motion = motion
        self.reasons = reasons
    }

    /// Clip length in seconds.
    public var duration: Double { Double(frames) / Double(fps) }
}
