import ArgumentParser
import Foundation
import I2VGenXL
import Media
import ModelIO
import Tensor
import TensorCUDA

/// `i2v generate`: one photo + a prompt → video frames, with a terminal progress bar.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a video from one image and a prompt with I2VGen-XL (CPU or CUDA GPU).",
        discussion: "Frames are limited to 2…\(I2VGenXLRequest.maxFrames); width and height must be multiples of 8.")

    @Option(help: "The ali-vilab/i2vgen-xl diffusers folder.")
    var model: String = "Models/i2vgen-xl"
    @Option(help: "auto (a CUDA GPU when present, else the CPU), cpu, or cuda:N.")
    var device: String = ProcessInfo.processInfo.environment["I2V_DEVICE"] ?? "auto"
    @Option(help: "Input image (JPEG, PNG or WebP).")
    var image: String
    @Option(help: "What should happen in the video.")
    var prompt: String
    @Option(help: "What to avoid (default: none, as diffusers).")
    var negativePrompt: String?
    @Flag(help: "Use the original VGen negative prompt (\"Distorted, discontinuous, Ugly, blurry, …\").")
    var vgenNegativePrompt = false
    @Option var width: Int = 512
    @Option var height: Int = 512
    @Option(help: "Number of frames (2…\(I2VGenXLRequest.maxFrames)).")
    var frames: Int = 16
    @Option(help: "fps conditioning value.")
    var fps: Int = 16
    @Option(help: "DDIM steps.")
    var steps: Int = 50
    @Option(help: "Classifier-free guidance scale (> 1 enables guidance).")
    var guidance: Double = 9.0
    @Option(help: "Seed of the torch-compatible noise generator (default: random, printed).")
    var seed: UInt64?
    @Option(help: "Frames decoded per VAE call.")
    var decodeChunkSize: Int = 1
    @Option(help: "CPU threads (default: all cores).")
    var threads: Int?
    @Option(help: "Output: a .mp4 file (H.264 at --fps), or a folder for raw frames (frame_0000.ppm, …).")
    var out: String

    func run() throws {
        do {
            try generate()
        } catch let e as ExitCode {
            throw e
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    func generate() throws {
        // Everything that can be checked without compute is checked first.
        let negative = vgenNegativePrompt ? I2VGenXLRequest.vgenNegativePrompt : (negativePrompt ?? "")
        let placeholder = try RGB8Image(width: 1, height: 1, pixels: [0, 0, 0])
        var request = I2VGenXLRequest(image: placeholder, prompt: prompt, negativePrompt: negative, width: width, height: height,
                                      numFrames: frames, numInferenceSteps: steps, guidanceScale: guidance, targetFPS: fps,
                                      decodeChunkSize: decodeChunkSize)
        try request.checkLimits()
        guard FileManager.default.fileExists(atPath: model) else {
            throw ValidationError("model folder \(model) not found: install the ali-vilab/i2vgen-xl weights with "
                                  + "scripts/download_weights.sh (it fills Models/i2vgen-xl), or pass --model DIR")
        }
        try ModelDirectory(path: model).requireComponents()
        let decoded = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: image)).image
        request.image = try RGB8Image(width: decoded.width, height: decoded.height, pixels: decoded.pixels)
        let asVideo = out.lowercased().hasSuffix(".mp4")
        let h264 = try H264Options(rate: FrameRate(fps))
        if asVideo {
            let parent = (out as NSString).deletingLastPathComponent
            if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        } else {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        }

        let seed = self.seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let selection: DeviceSelection
        do { selection = try DeviceSelection(parsing: device) } catch { throw ValidationError("\(error)") }
        let backend: any Backend
        if selection == .cpu {
            backend = CPUBackend(threads: threads)
        } else {
            let (b, note) = try selection.makeBackend()
            if let note { log(note) }
            backend = (b as? CPUBackend).map { _ in CPUBackend(threads: threads) } ?? b
        }
        log("loading \(model) on \(backend.name)…")
        let pipeline = try I2VGenXLPipeline.load(from: model, backend: backend)
        try pipeline.validate(request)
        log("generating \(frames) frames at \(width)×\(height), \(steps) steps, guidance \(guidance), seed \(seed)")
        let bar = ProgressBar()
        let result = try pipeline.generate(request, noise: .seed(seed)) { bar.update($0) }
        bar.finish()
        if asVideo {
            let frames = (0..<result.numFrames).map { RGBImage(width: result.width, height: result.height, pixels: result.frame8Bit($0)) }
            try MP4Writer.write(frames, to: URL(fileURLWithPath: out), options: h264)
        } else {
            for i in 0..<result.numFrames {
                let path = (out as NSString).appendingPathComponent(String(format: "frame_%04d.ppm", i))
                let header = Array("P6\n\(result.width) \(result.height)\n255\n".utf8)
                try Data(header + result.frame8Bit(i)).write(to: URL(fileURLWithPath: path))
            }
        }
        let rss = MemoryStats.peakResidentBytes().map { String(format: "%.2f GiB", Double($0) / 1_073_741_824) } ?? "?"
        log("wrote \(result.numFrames) frames to \(out) (seed \(seed), peak RSS \(rss))")
    }

    func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}

/// A one-line terminal progress bar with elapsed time and ETA, redrawn in place on stderr.
final class ProgressBar {
    private var last = ""

    func update(_ p: PipelineProgress) {
        let width = 30
        let filled = p.total > 0 ? width * p.step / p.total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let label = p.stage == .denoising ? "step" : "decode"
        let line = "\r[\(bar)] \(label) \(p.step)/\(p.total)  elapsed \(Self.clock(p.elapsed))  ETA \(Self.clock(p.eta))"
        FileHandle.standardError.write(Data(line.utf8))
        last = line
        if p.stage == .denoising && p.step == p.total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    func finish() { if !last.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) } }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%02d:%02d", t / 60, t % 60)
    }
}
