import Media

/// Turns (photo, title, explicit choices) into a `GenerationPlan`: detects the category, picks the
/// template, writes the prompt and chooses every parameter, recording why.
public struct Planner: Sendable {
    public var library: TemplateLibrary
    public var detector: CategoryDetector
    /// Whether the I2VGen-XL weights are installed (decides `--engine auto`).
    public var diffusionAvailable: Bool

    public init(library: TemplateLibrary, detector: CategoryDetector, diffusionAvailable: Bool = false) {
        self.library = library
        self.detector = detector
        self.diffusionAvailable = diffusionAvailable
    }

    /// The built-in templates and vocabulary.
    public static func builtIn(diffusionAvailable: Bool = false, imageClassifier: (any ImageCategoryClassifier)? = nil) throws -> Planner {
        Planner(library: try .builtIn(), detector: try .builtIn(imageClassifier: imageClassifier), diffusionAvailable: diffusionAvailable)
    }

    /// Valid category ids (including the fallback).
    public var categories: [String] { detector.vocabulary.ids }

    public func plan(image: RGBImage?, title: String, options: PlanOverrides = PlanOverrides()) throws -> GenerationPlan {
        var reasons: [String: String] = [:]
        let vocab = detector.vocabulary

        // Category and template requested explicitly?
        if let c = options.category, !categories.contains(c) { throw MotionError.unknownCategory(c, valid: categories) }
        let forcedTemplate = try options.template.map { try library.template(id: $0) }
        if let t = forcedTemplate, let c = options.category, t.category != c {
            throw MotionError.templateCategoryMismatch(template: t.id, templateCategory: t.category, category: c)
        }

        var detection = detector.detect(title: title, image: image)
        if let c = options.category ?? forcedTemplate?.category {
            let detected = detection.decision
            let why = options.category != nil ? "category '\(c)' given explicitly" : "category '\(c)' implied by the requested template '\(forcedTemplate!.id)'"
            detection.decision = CategoryDecision(category: c, confidence: 1,
                                                  reasons: [why, "detection alone would say \(detected.category) (\(Format.number(detected.confidence)))"] + detected.reasons.prefix(3),
                                                  candidates: detected.candidates)
            if detected.category != c {
                detection.noun = vocab.category(c)?.noun ?? vocab.fallbackNoun
                detection.templateHint = nil
            }
        }
        let category = detection.decision.category
        reasons["category"] = detection.decision.reasons.first ?? category

        // Template.
        let template: MotionTemplate
        if let t = forcedTemplate {
            template = t
            reasons["template"] = "template '\(t.id)' given explicitly"
        } else if let hint = detection.templateHint, let t = try? library.template(id: hint), t.category == category {
            template = t
            reasons["template"] = "title term '\(detection.templateHintTerm ?? "")' calls for '\(t.id)': \(t.summary)"
        } else if let t = library.templates(for: category).first {
            template = t
            reasons["template"] = "default template of \(category): \(t.summary)"
        } else if let t = library.templates(for: vocab.fallback).first {
            template = t
            reasons["template"] = "no template for \(category); using the \(vocab.fallback) default: \(t.summary)"
        } else {
            throw MotionError.dataFile(path: "templates", problem: "no template for '\(category)' and none for '\(vocab.fallback)'")
        }

        // Engine.
        let engine: Engine
        switch options.engine ?? .auto {
        case .template:
            engine = .template; reasons["engine"] = "template engine requested"
        case .i2vgenXL:
            engine = .i2vgenXL; reasons["engine"] = "i2vgen-xl requested"
        case .auto:
            engine = diffusionAvailable ? .i2vgenXL : .template
            reasons["engine"] = diffusionAvailable ? "auto: I2VGen-XL weights are installed" : "auto: I2VGen-XL weights are not installed, using the template renderer"
        }

        // Size.
        let size = try PlanParameters.size(options: options, template: template, image: image, engine: engine)
        reasons["size"] = size.reason

        // Scalars.
        let frames = try PlanParameters.pick(options.frames, template.frames, name: "frames", range: 1...512, reasons: &reasons, key: "frames", source: template.id)
        let fps = try PlanParameters.pick(options.fps, template.fps, name: "fps", range: 1...60, reasons: &reasons, key: "fps", source: template.id)
        let steps = try PlanParameters.pick(options.steps, template.steps, name: "steps", range: 1...200, reasons: &reasons, key: "steps", source: template.id)
        let guidance = try PlanParameters.pick(options.guidance, template.guidance, name: "guidance", range: 1...30, reasons: &reasons, key: "guidance", source: template.id)
        var strength = try PlanParameters.pick(options.motionStrength, template.motionStrength, name: "motion strength", range: 0...1, reasons: &reasons, key: "motionStrength", source: template.id)

        // Seed.
        let seed: UInt64
        if let s = options.seed {
            seed = s; reasons["seed"] = "seed given explicitly"
        } else {
            var rng = SystemRandomNumberGenerator()
            seed = UInt64(UInt32.random(in: 0...UInt32.max, using: &rng))
            reasons["seed"] = "random seed (recorded so the plan reproduces the same video)"
        }

        // Prompt.
        let colour = PlanParameters.colourWord(detection.cues)
        let prompt: String
        if let p = options.prompt {
            prompt = p; reasons["prompt"] = "prompt given explicitly"
        } else {
            prompt = PromptFiller.fill(template.prompt, noun: detection.noun, colour: colour)
            reasons["prompt"] = "template '\(template.id)' prompt with noun '\(detection.noun)'" + (colour.map { " and colour '\($0)'" } ?? " (no colour: \(image == nil ? "no image" : "no dominant product colour"))")
        }
        let negative: String
        if let n = options.negativePrompt {
            negative = n; reasons["negativePrompt"] = "negative prompt given explicitly"
        } else {
            negative = PromptFiller.fill(template.negativePrompt, noun: detection.noun, colour: colour)
            reasons["negativePrompt"] = "template '\(template.id)' negative prompt"
        }

        // Motion.
        var motion = template.motion
        var motionWhy = "template '\(template.id)': " + motion.effects.map(\.kind.rawValue).joined(separator: " + ")
        if let loop = options.loop {
            motion.loop = loop
            motionWhy += loop ? "; seamless loop requested" : "; one-way (no loop) requested"
        } else {
            motionWhy += motion.loop ? "; loops seamlessly" : "; one-way"
        }
        if let cues = detection.cues, !cues.plainBackground, options.motionStrength == nil,
           motion.effects.contains(where: { [.orbit, .float, .sway, .vibrate].contains($0.kind) }) {
            // Foreground/background separation is unreliable on busy photos: move less.
            strength = (strength * 0.6 * 1000).rounded() / 1000
            reasons["motionStrength"] = (reasons["motionStrength"] ?? "") + "; ×0.6 because the busy background makes the product mask unreliable"
        }
        reasons["motion"] = motionWhy

        let formats = options.formats ?? OutputOptions().formats
        if formats.isEmpty { throw MotionError.invalidParameter(name: "formats", value: "[]", expected: "at least one of \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))") }
        reasons["output"] = options.formats == nil ? "default outputs: \(formats.map(\.rawValue).joined(separator: ", ")) and a poster" : "outputs given explicitly"

        return GenerationPlan(
            engine: engine, category: detection.decision, templateID: template.id, title: title,
            product: ProductAttributes(noun: detection.noun, colours: detection.cues?.colours ?? [],
                                       plainBackground: detection.cues?.plainBackground, imageAspect: detection.cues.map { ($0.aspect * 1000).rounded() / 1000 }),
            prompt: prompt, negativePrompt: negative, width: size.width, height: size.height,
            frames: frames, fps: fps, steps: steps, guidance: guidance, motionStrength: strength, seed: seed,
            output: OutputOptions(formats: formats, poster: true), motion: motion, reasons: reasons)
    }
}
