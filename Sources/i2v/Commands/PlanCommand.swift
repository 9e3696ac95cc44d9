import ArgumentParser
import Foundation
import Media
import Motion
import Tensor

/// `i2v plan`: the generation plan (category, template, prompt, every parameter and why) for a
/// product title and optional photo, printed as JSON.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the generation plan for a product photo and title as JSON."
    )

    @Option(help: "Product photo (JPEG, PNG or WebP). Optional: without it no colour or aspect cues are used.")
    var image: String?

    @Option(help: "Product title, Chinese or English.")
    var title: String = ""

    @Option(help: "Category id instead of detection (see --list).")
    var category: String?

    @Option(help: "Template id instead of the category's choice (see --list).")
    var template: String?

    @Option(help: "Engine: auto (I2VGen-XL when its weights are installed), template or i2vgen-xl.")
    var engine: String = EngineChoice.auto.rawValue

    @Option(help: "Seed (random and recorded when omitted).")
    var seed: UInt64?

    @Option(help: "Prompt instead of the template's.")
    var prompt: String?

    @Option(help: "Negative prompt instead of the template's.")
    var negativePrompt: String?

    @Option(help: "Aspect preset (1:1, 3:4, 4:3, 9:16, 16:9, 4:5, 7:9) or auto.")
    var aspect: String?

    @Option(help: "Short side of the output in pixels.")
    var resolution: Int?

    @Option var width: Int?
    @Option var height: Int?
    @Option var frames: Int?
    @Option var fps: Int?
    @Option var steps: Int?
    @Option var guidance: Double?

    @Option(help: "Motion strength 0...1.")
    var motionStrength: Double?

    @Option(help: "Seamless loop: true or false (template default when omitted).")
    var loop: Bool?

    @Option(help: "Output formats, comma-separated (mp4, webp, gif).")
    var formats: String?

    @Option(help: "User template file that overrides or extends the built-in templates.")
    var templates: String?

    @Option(help: "I2VGen-XL model folder (decides --engine auto).")
    var modelDir: String = "Models/i2vgen-xl"

    @Option(help: "ResNet-50 folder made by scripts/convert_resnet50.py; used as image evidence when present.")
    var classifierDir: String = ResNetImageClassifier.defaultDirectory

    @Flag(help: "List the valid categories and templates instead of planning.")
    var list = false

    func run() throws {
        do {
            try execute()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func execute() throws {
        let installed = FileManager.default.fileExists(atPath: URL(fileURLWithPath: modelDir).appendingPathComponent("model_index.json").path)
        let classifier = image == nil ? nil : try ResNetImageClassifier.loadIfInstalled(directory: classifierDir, backend: CPUBackend())
        var planner = try Planner.builtIn(diffusionAvailable: installed, imageClassifier: classifier)
        if let templates { planner.library = try planner.library.applying(userFile: URL(fileURLWithPath: templates)) }
        if list {
            for c in planner.categories {
                let ts = planner.library.templates(for: c).map { "\($0.id) (\($0.summary))" }
                print("\(c): \(ts.joined(separator: "; "))")
            }
            return
        }
        guard let engineChoice = EngineChoice(rawValue: engine) else {
            throw MotionError.invalidParameter(name: "engine", value: engine, expected: EngineChoice.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var outputFormats: [OutputFormat]? = nil
        if let formats {
            outputFormats = try formats.split(separator: ",").map { f in
                let name = f.trimmingCharacters(in: .whitespaces)
                guard let format = OutputFormat(rawValue: name) else {
                    throw MotionError.invalidParameter(name: "format", value: name, expected: OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return format
            }
        }
        let photo = try image.map { try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: $0)).image }
        let options = PlanOverrides(engine: engineChoice, category: category, template: template, prompt: prompt,
                                    negativePrompt: negativePrompt, aspect: aspect, resolution: resolution, width: width,
                                    height: height, frames: frames, fps: fps, steps: steps, guidance: guidance,
                                    motionStrength: motionStrength, seed: seed, loop: loop, formats: outputFormats)
        let plan = try planner.plan(image: photo, title: title, options: options)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(plan), as: UTF8.self))
    }
}
