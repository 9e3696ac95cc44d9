import Foundation
import Jobs
import Media
import Motion
import Quality

/// The production pipeline: decode the photo, plan, render with the plan's engine, encode the
/// deliverables, check quality. One call per attempt, on the worker's engine thread.
public final class ProductPipeline: JobPipeline, @unchecked Sendable {
    let planner: Planner
    let byName: [String: any VideoEngine]
    let decodeLimits: DecodeLimits
    let thresholds: QCThresholds

    public init(planner: Planner, engines: [any VideoEngine], decodeLimits: DecodeLimits = .default, thresholds: QCThresholds = .standard) {
        self.planner = planner
        self.byName = Dictionary(engines.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.decodeLimits = decodeLimits
        self.thresholds = thresholds
    }

    public var engines: [EngineStatus] { engineOrder.compactMap { byName[$0]?.status } }
    private var engineOrder: [String] { ["template", "i2vgen-xl"] + byName.keys.filter { !["template", "i2vgen-xl"].contains($0) }.sorted() }

    public func prepare() async {
        for engine in byName.values { await engine.prepare() }
    }

    /// The planner with the diffusion engine's availability as it is now.
    var currentPlanner: Planner {
        var planner = self.planner
        planner.diffusionAvailable = byName["i2vgen-xl"]?.status.state == .ready
        return planner
    }

    func decode(_ url: URL) throws -> RGBImage {
        do {
            return try ImageDecoder.decode(contentsOf: url, options: DecodeOptions(limits: decodeLimits)).image
        } catch {
            throw PipelineError.badInput("The photo cannot be decoded: \(error).")
        }
    }

    func plan(_ request: GenerationRequest, image: RGBImage?, attempt: Int, previous: JobFailure?) throws -> (GenerationPlan, String?) {
        var overrides = request.planOverrides
        let templateStrength = request.template.flatMap { try? planner.library.template(id: $0).motionStrength }
        var note = RetryAdjustment.apply(to: &overrides, attempt: attempt, previous: previous, templateStrength: templateStrength)
        do {
            var plan = try currentPlanner.plan(image: image, title: request.title, options: overrides)
            if note == nil, attempt > 1, previous?.code == "qc_failed" { note = "re-planned after a QC failure" }
            if let note { plan.reasons["retry"] = note }
            return (plan, note)
        } catch let error as MotionError {
            throw PipelineError.badInput(error.description)
        }
    }

    public func run(_ input: AttemptInput, directory: URL, control: AttemptControl) throws -> AttemptOutput {
        control.report(PipelineProgress(stage: .planning))
        let image = try decode(input.imagePath)
        let (plan, _) = try plan(input.request, image: image, attempt: input.attempt, previous: input.previousFailure)
        guard let engine = byName[plan.engine.rawValue] else {
            throw PipelineError.engineUnavailable("No engine named \(plan.engine.rawValue) in this build.")
        }
        if control.isCancelled { throw PipelineError.cancelled }

        // Steps are denoising steps for the diffusion engine, frames for the template renderer.
        control.report(PipelineProgress(stage: .generating, step: 0, totalSteps: plan.engine == .i2vgenXL ? plan.steps : plan.frames))
        let rendered = try engine.generate(
            plan: plan, image: image,
            progress: { stage, done, total in control.report(PipelineProgress(stage: stage, step: done, totalSteps: total)) },
            isCancelled: { control.isCancelled })
        if control.isCancelled { throw PipelineError.cancelled }

        control.report(PipelineProgress(stage: .encoding))
        let files = try deliver(rendered.frames, plan: plan, request: input.request, into: directory)
        if control.isCancelled { throw PipelineError.cancelled }

        control.report(PipelineProgress(stage: .qc))
        let report: QCReport
        do {
            report = try VideoQC.check(frames: rendered.frames, input: rendered.framedInput, thresholds: thresholds)
        } catch {
            throw PipelineError.engineFailed("The quality check could not run: \(error).")
        }
        let qc = (try? JSONValue.from(report)) ?? .null
        guard report.passed else {
            throw PipelineError.qcFailed(report.failures.joined(separator: "; "), report: qc)
        }
        return AttemptOutput(files: files, engine: engine.name, seed: UInt32(truncatingIfNeeded: plan.seed), plan: PlanDocument.make(plan), qc: qc)
    }

    /// Watermark, MP4 (always), and the optional WebP, GIF and poster.
    func deliver(_ frames: [RGBImage], plan: GenerationPlan, request: GenerationRequest, into directory: URL) throws -> [String] {
        guard let first = frames.first else { throw PipelineError.engineFailed("The engine produced no frames.") }
        let wants = Set(request.outputs)
        do {
            let watermark = try request.watermark.flatMap { text -> Watermark? in
                text.isEmpty ? nil : try Watermark(text: text, frameWidth: first.width, frameHeight: first.height)
            }
            var options = DeliveryOptions(sourceRate: try FrameRate(plan.fps), mp4: directory.appendingPathComponent("video.mp4"))
            options.watermark = watermark
            if wants.contains(.webp) { options.webp = directory.appendingPathComponent("video.webp") }
            if wants.contains(.gif) { options.gif = directory.appendingPathComponent("video.gif") }
            if wants.contains(.poster) { options.poster = directory.appendingPathComponent("poster.jpg") }
            _ = try Delivery.encode(frames, options: options)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.engineFailed("Encoding failed: \(error).")
        }
        var files = ["video.mp4"]
        if wants.contains(.webp) { files.append("video.webp") }
        if wants.contains(.gif) { files.append("video.gif") }
        if wants.contains(.poster) { files.append("poster.jpg") }
        return files
    }
}

/// The plan as the API shows it: the decisions in snake_case up front, Motion's full plan in
/// `detail` (with the reason behind every choice).
enum PlanDocument {
    static func make(_ plan: GenerationPlan) -> JSONValue {
        .object([
            "engine": .string(plan.engine.rawValue),
            "category": .string(plan.category.category),
            "category_confidence": .number(plan.category.confidence),
            "template": .string(plan.templateID),
            "prompt": .string(plan.prompt),
            "negative_prompt": .string(plan.negativePrompt),
            "width": .number(Double(plan.width)),
            "height": .number(Double(plan.height)),
            "frames": .number(Double(plan.frames)),
            "fps": .number(Double(plan.fps)),
            "steps": .number(Double(plan.steps)),
            "guidance": .number(plan.guidance),
            "motion_strength": .number(plan.motionStrength),
            "seed": .number(Double(plan.seed)),
            "reasons": .object(plan.reasons.mapValues { .string($0) }),
            "detail": (try? JSONValue.from(plan)) ?? .null,
        ])
    }
}
