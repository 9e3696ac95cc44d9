import ArgumentParser
import Foundation
import I2VGenXL
import Motion
import Server

/// `i2v generate`: one photo (+ its product title) → a video, with a terminal progress bar.
/// Anything not given explicitly comes from the generation plan (`i2v plan` prints it); the
/// work is `Server.LocalGeneration`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a product video from one photo: I2VGen-XL when its weights are installed, else the template renderer.",
        discussion: """
            Options left out come from the generation plan for the photo and --title (category → template → prompt, \
            size, frames, fps, steps, guidance, seed; see `i2v plan`). Frames are limited to 2…\(I2VGenXLRequest.maxFrames); \
            explicit width and height must be multiples of 8.
            """)

    @Option(help: "Input image (JPEG, PNG or WebP).")
    var image: String
    @Option(help: "Product title, Chinese or English: decides the category, template and prompt.")
    var title: String = ""
    @Option(help: "auto (I2VGen-XL when its weights are in --model, else the template renderer), template or i2vgen-xl.")
    var engine: String = EngineChoice.auto.rawValue
    @Option(help: "The ali-vilab/i2vgen-xl diffusers folder.")
    var model: String = "Models/i2vgen-xl"
    @Option(help: "I2VGen-XL device: auto (a CUDA GPU when present, else the CPU), cpu, or cuda:N.")
    var device: String = ProcessInfo.processInfo.environment["I2V_DEVICE"] ?? "auto"
    @Option(help: "Category id instead of detection (see `i2v plan --list`).")
    var category: String?
    @Option(help: "Template id instead of the category's choice (see `i2v plan --list`).")
    var template: String?
    @Option(help: "What should happen in the video (default: the template's prompt).")
    var prompt: String?
    @Option(help: "What to avoid (default: the template's negative prompt).")
    var negativePrompt: String?
    @Flag(help: "Use the original VGen negative prompt (\"Distorted, discontinuous, Ugly, blurry, …\").")
    var vgenNegativePrompt = false
    @Option(help: "Aspect preset (1:1, 3:4, 4:3, 9:16, 16:9, 4:5, 7:9) or auto (from the photo).")
    var aspect: String?
    @Option(help: "Short side of the output in pixels.")
    var resolution: Int?
    @Option var width: Int?
    @Option var height: Int?
    @Option(help: "Number of frames (2…\(I2VGenXLRequest.maxFrames)).")
    var frames: Int?
    @Option(help: "Frames per second (also the fps conditioning of I2VGen-XL).")
    var fps: Int?
    @Option(help: "DDIM steps (I2VGen-XL).")
    var steps: Int?
    @Option(help: "Classifier-free guidance scale (> 1 enables guidance; I2VGen-XL).")
    var guidance: Double?
    @Option(help: "Motion strength 0...1 (template renderer).")
    var motionStrength: Double?
    @Option(help: "Seed (default: random, printed and recorded in the plan).")
    var seed: UInt64?
    @Option(help: "User template file that overrides or extends the built-in templates.")
    var templates: String?
    @Option(help: "Frames decoded per VAE call (I2VGen-XL).")
    var decodeChunkSize: Int = 1
    @Option(help: "CPU threads for I2VGen-XL (default: all cores).")
    var threads: Int?
    @Option(help: "Output: a .mp4 file (H.264 at the plan's fps), or a folder for raw frames (frame_0000.ppm, …).")
    var out: String

    func run() throws {
        do {
            try generate()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    func generate() throws {
        guard let choice = EngineChoice(rawValue: engine) else {
            throw LocalGenerationError.invalidOption(name: "engine", problem: "is '\(engine)'; use template, i2vgen-xl or auto")
        }
        let overrides = PlanOverrides(
            category: category, template: template, prompt: prompt,
            negativePrompt: vgenNegativePrompt ? I2VGenXLRequest.vgenNegativePrompt : negativePrompt, aspect: aspect,
            resolution: resolution, width: width, height: height, frames: frames, fps: fps, steps: steps, guidance: guidance,
            motionStrength: motionStrength, seed: seed)
        let options = LocalGenerationOptions(
            image: image, title: title, engine: choice, modelPath: model, device: device, threads: threads, decodeChunkSize: decodeChunkSize,
            overrides: overrides, templatesFile: templates, classifierDirectory: ResNetImageClassifier.defaultDirectory, output: out)
        let bar = ProgressBar()
        let outcome = try LocalGeneration.run(options) { event in
            switch event {
            case .planned(let plan): Self.log(Self.describe(plan))
            case .note(let text): Self.log(text)
            case .progress(let p): bar.update(p)
            }
        }
        bar.finish()
        let rss = MemoryStats.peakResidentBytes().map { String(format: "%.2f GiB", Double($0) / 1_073_741_824) } ?? "?"
        Self.log("wrote \(outcome.frameCount) frames to \(outcome.output) (seed \(outcome.plan.seed), peak RSS \(rss))")
        if let qc = outcome.qc {
            Self.log(qc.passed ? "QC passed" : "warning: QC failed: \(qc.failures.joined(separator: "; "))")
        } else if let problem = outcome.qcProblem {
            Self.log("QC not run: \(problem)")
        }
    }

    static func describe(_ p: GenerationPlan) -> String {
        [
            "engine \(p.engine.rawValue): \(p.reasons["engine"] ?? "")",
            "category \(p.category.category) (\(String(format: "%.2f", p.category.confidence))), template \(p.templateID)",
            "prompt: \(p.prompt)",
            "\(p.width)×\(p.height), \(p.frames) frames at \(p.fps) fps"
                + (p.engine == .i2vgenXL ? ", \(p.steps) steps, guidance \(p.guidance)" : ", motion strength \(p.motionStrength)")
                + ", seed \(p.seed)",
        ].joined(separator: "\n")
    }

    static func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}

/// A one-line terminal progress bar with elapsed time and ETA, redrawn in place on stderr.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ""

    func update(_ p: GenerationProgress) {
        lock.lock(); defer { lock.unlock() }
        let width = 30
        let filled = p.total > 0 ? width * p.step / p.total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let label = ["rendering": "frame", "denoising": "step", "decoding": "decode"][p.stage.rawValue] ?? p.stage.rawValue
        let line = "\r[\(bar)] \(label) \(p.step)/\(p.total)  elapsed \(Self.clock(p.elapsed))  ETA \(Self.clock(p.eta))"
        FileHandle.standardError.write(Data(line.utf8))
        last = line
        if p.stage == .denoising && p.step == p.total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if !last.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%02d:%02d", t / 60, t % 60)
    }
}
