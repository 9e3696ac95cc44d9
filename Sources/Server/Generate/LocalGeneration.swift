import Foundation
import I2VGenXL
import Media
import Motion
import Quality
import Tensor
import TensorCUDA

/// What `i2v generate` was asked for. Everything in `overrides` that is nil is decided by the
/// generation plan (category and template from the title and photo), exactly as `i2v plan`
/// and the server decide it.
public struct LocalGenerationOptions: Sendable {
    public var image: String
    public var title: String
    public var engine: EngineChoice
    /// The ali-vilab/i2vgen-xl diffusers folder (decides `auto`).
    public var modelPath: String
    /// Diffusion only: auto, cpu or cuda:N.
    public var device: String
    /// Diffusion on the CPU only: threads (nil: all cores).
    public var threads: Int?
    /// Diffusion only: frames per VAE decode call.
    public var decodeChunkSize: Int
    /// Explicit choices (prompt, size, frames, steps, …); their `engine` is ignored (see `engine`).
    public var overrides: PlanOverrides
    /// A user template file that overrides or extends the built-in templates.
    public var templatesFile: String?
    /// ResNet-50 folder used as image evidence for the category when installed (nil: none).
    public var classifierDirectory: String?
    /// A `.mp4` file, or a folder for raw frames (`frame_0000.ppm`, …).
    public var output: String

    public init(image: String, title: String = "", engine: EngineChoice = .auto, modelPath: String = "Models/i2vgen-xl",
                device: String = "auto", threads: Int? = nil, decodeChunkSize: Int = 1, overrides: PlanOverrides = PlanOverrides(),
                templatesFile: String? = nil, classifierDirectory: String? = nil, output: String) {
        self.image = image
        self.title = title
        self.engine = engine
        self.modelPath = modelPath
        self.device = device
        self.threads = threads
        self.decodeChunkSize = decodeChunkSize
        self.overrides = overrides
        self.templatesFile = templatesFile
        self.classifierDirectory = classifierDirectory
        self.output = output
    }

    var writesVideo: Bool { output.lowercased().hasSuffix(".mp4") }
}

/// Progress of one local generation: rendered frames (template engine) or denoising steps and
/// decoded chunks (I2VGen-XL), with elapsed time and ETA of the stage.
public struct GenerationProgress: Sendable, Equatable {
    public enum Stage: String, Sendable { case rendering, denoising, decoding }
    public var stage: Stage
    public var step: Int
    public var total: Int
    public var elapsed: Double
    public var eta: Double
}

public enum LocalGenerationEvent: Sendable {
    /// The plan, before any frame is computed.
    case planned(GenerationPlan)
    /// Something worth telling the user (device fallback, model loading).
    case note(String)
    case progress(GenerationProgress)
}

public struct LocalGenerationOutcome: Sendable {
    public var plan: GenerationPlan
    public var frameCount: Int
    public var output: String
    /// The delivery QC of the frames, or nil when it could not run (`qcProblem` says why).
    public var qc: QCReport?
    public var qcProblem: String?
}

/// `i2v generate` as a library call: photo + title → `GenerationPlan` → frames from the template
/// renderer (the server's `TemplateEngine`) or I2VGen-XL → MP4 through Media's `Delivery` (as the
/// server's jobs) or raw frames → QC report. Everything that can be checked without compute
/// (options, engine and model folder, output folder) is checked before the photo is decoded.
public enum LocalGeneration {
    public static func run(_ options: LocalGenerationOptions, events: @escaping @Sendable (LocalGenerationEvent) -> Void = { _ in }) throws
        -> LocalGenerationOutcome
    {
        try validate(options)
        let (engine, engineReason) = try EngineResolution.resolve(options.engine, modelPath: options.modelPath)
        let device: DeviceSelection
        do { device = try DeviceSelection(parsing: options.device) } catch {
            throw LocalGenerationError.invalidOption(name: "device", problem: "\(error)")
        }
        try prepareOutput(options)

        let photo: RGBImage
        do { photo = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: options.image)).image } catch {
            throw LocalGenerationError.unreadableImage(path: options.image, problem: "\(error)")
        }
        let plan = try makePlan(options, engine: engine, engineReason: engineReason, photo: photo)
        if engine == .i2vgenXL { try diffusionRequest(plan, photo: photo, options: options).checkLimits() }
        events(.planned(plan))

        let rendered: EngineFrames
        switch engine {
        case .template: rendered = try renderTemplate(plan, photo: photo, events: events)
        case .i2vgenXL: rendered = try renderDiffusion(plan, photo: photo, options: options, device: device, events: events)
        }
        try write(rendered.frames, plan: plan, to: options)

        var outcome = LocalGenerationOutcome(plan: plan, frameCount: rendered.frames.count, output: options.output)
        do {
            outcome.qc = try VideoQC.check(frames: rendered.frames, input: rendered.framedInput)
        } catch {
            outcome.qcProblem = "\(error)"
        }
        return outcome
    }

    /// The option checks of `i2v generate`: explicit sizes multiples of 8, 2…`maxFrames` frames,
    /// at least one step.
    static func validate(_ options: LocalGenerationOptions) throws {
        let o = options.overrides
        for (name, value) in [("width", o.width), ("height", o.height)] {
            if let v = value, v <= 0 || v % 8 != 0 { throw LocalGenerationError.invalidOption(name: name, problem: "is \(v); it must be a positive multiple of 8") }
        }
        if let f = o.frames, !(2...I2VGenXLRequest.maxFrames).contains(f) {
            throw LocalGenerationError.invalidOption(name: "frames", problem: "is \(f); it must be between 2 and \(I2VGenXLRequest.maxFrames)")
        }
        if let s = o.steps, s < 1 { throw LocalGenerationError.invalidOption(name: "steps", problem: "is \(s); it must be at least 1") }
        if options.decodeChunkSize < 1 {
            throw LocalGenerationError.invalidOption(name: "decode-chunk-size", problem: "is \(options.decodeChunkSize); it must be at least 1")
        }
        if let t = options.threads, t < 1 { throw LocalGenerationError.invalidOption(name: "threads", problem: "is \(t); it must be at least 1") }
    }

    static func prepareOutput(_ options: LocalGenerationOptions) throws {
        let folder = options.writesVideo ? (options.output as NSString).deletingLastPathComponent : options.output
        guard !folder.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw LocalGenerationError.invalidOption(name: "out", problem: "\(options.output): cannot create \(folder) (\(error.localizedDescription))")
        }
    }

    static func makePlan(_ options: LocalGenerationOptions, engine: Engine, engineReason: String, photo: RGBImage) throws -> GenerationPlan {
        let classifier = try options.classifierDirectory.flatMap { try ResNetImageClassifier.loadIfInstalled(directory: $0, backend: CPUBackend()) }
        var planner = try Planner.builtIn(diffusionAvailable: engine == .i2vgenXL, imageClassifier: classifier)
        if let file = options.templatesFile { planner.library = try planner.library.applying(userFile: URL(fileURLWithPath: file)) }
        var overrides = options.overrides
        overrides.engine = engine == .i2vgenXL ? .i2vgenXL : .template
        var plan = try planner.plan(image: photo, title: options.title, options: overrides)
        plan.reasons["engine"] = engineReason
        return plan
    }

    static func diffusionRequest(_ plan: GenerationPlan, photo: RGBImage, options: LocalGenerationOptions) throws -> I2VGenXLRequest {
        let source = try RGB8Image(width: photo.width, height: photo.height, pixels: photo.pixels)
        return I2VGenXLRequest(image: source, prompt: plan.prompt, negativePrompt: plan.negativePrompt, width: plan.width, height: plan.height,
                               numFrames: plan.frames, numInferenceSteps: plan.steps, guidanceScale: plan.guidance, targetFPS: plan.fps,
                               decodeChunkSize: options.decodeChunkSize)
    }

    /// The server's template engine; progress with elapsed time and ETA, one event at a time.
    static func renderTemplate(_ plan: GenerationPlan, photo: RGBImage, events: @escaping @Sendable (LocalGenerationEvent) -> Void) throws -> EngineFrames {
        let start = DispatchTime.now().uptimeNanoseconds
        let serial = NSLock()
        do {
            return try TemplateEngine().generate(plan: plan, image: photo, progress: { _, done, total in
                serial.lock(); defer { serial.unlock() }
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
                events(.progress(GenerationProgress(stage: .rendering, step: done, total: total, elapsed: elapsed, eta: eta)))
            }, isCancelled: { false })
        } catch let error as PipelineError {
            throw LocalGenerationError.failed(error.description)
        }
    }

    static func renderDiffusion(_ plan: GenerationPlan, photo: RGBImage, options: LocalGenerationOptions, device: DeviceSelection,
                                events: @escaping @Sendable (LocalGenerationEvent) -> Void) throws -> EngineFrames {
        let (backends, note) = try device.makePipelineBackends(cpu: CPUBackend(threads: options.threads))
        if let note { events(.note(note)) }
        let backend = backends.model
        events(.note("loading \(options.modelPath) on \(backend.name)" + (backends.vae === backend ? "" : ", VAE on \(backends.vae.name)") + "…"))
        let pipeline = try I2VGenXLPipeline.load(from: options.modelPath, backend: backend, vaeBackend: backends.vae)
        let request = try diffusionRequest(plan, photo: photo, options: options)
        try pipeline.validate(request)
        let output = try pipeline.generate(request, noise: .seed(plan.seed)) { p in
            let stage: GenerationProgress.Stage = p.stage == .denoising ? .denoising : .decoding
            events(.progress(GenerationProgress(stage: stage, step: p.step, total: p.total, elapsed: p.elapsed, eta: p.eta)))
        }
        let frames = (0..<output.numFrames).map { RGBImage(width: output.width, height: output.height, pixels: output.frame8Bit($0)) }
        // What the model saw of the photo: the centre crop the pipeline feeds the VAE.
        let framed = try ImageCrop.centerCropWide(request.image, width: plan.width, height: plan.height)
        return EngineFrames(frames: frames, framedInput: RGBImage(width: framed.width, height: framed.height, pixels: framed.pixels))
    }

    /// H.264 MP4 at the plan's fps through Media's delivery path, or binary PPM frames.
    static func write(_ frames: [RGBImage], plan: GenerationPlan, to options: LocalGenerationOptions) throws {
        if options.writesVideo {
            _ = try Delivery.encode(frames, options: DeliveryOptions(sourceRate: try FrameRate(plan.fps), mp4: URL(fileURLWithPath: options.output)))
            return
        }
        for (i, frame) in frames.enumerated() {
            let path = (options.output as NSString).appendingPathComponent(String(format: "frame_%04d.ppm", i))
            let header = Array("P6\n\(frame.width) \(frame.height)\n255\n".utf8)
            try Data(header + frame.pixels).write(to: URL(fileURLWithPath: path))
        }
    }
}
