import ArgumentParser
import Foundation
import Media

struct MediaEncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode frames to an H.264 MP4, with optional animated WebP, GIF and poster beside it.",
        discussion: """
        Frames come from --frames-dir (every non-hidden file, sorted by name) or repeated --in. \
        --webp, --gif and --poster write next to --out with the same name (x.webp, x.gif, x.poster.jpg); \
        WebP and GIF hold one loop cycle and loop forever, the MP4 lasts --duration seconds.
        """)

    @Option(help: "Folder of frame images (JPEG/PNG/WebP).")
    var framesDir: String?

    @Option(name: .customLong("in"), help: "A frame image; repeat in order.")
    var inputs: [String] = []

    @Option(help: "Frame rate of the frames: 8, 16, 23.976, 30000/1001, …")
    var fps = "8"

    @Option(name: .customLong("out"), help: "Output MP4.")
    var output: String

    @Option(help: "Loop mode: forward or pingpong.")
    var loop = "forward"

    @Option(help: "MP4 length in seconds (default: one loop cycle).")
    var duration: Double?

    @Option(help: "Blend frames up to this frame rate before encoding.")
    var interpolateFps: String?

    @Option(help: "H.264 constant rate factor (1-51, lower is better).")
    var crf = 18

    @Option(help: "x264 preset: ultrafast … veryslow.")
    var preset = "medium"

    @Flag(help: "Use NVIDIA NVENC (falls back to libx264 with a message when unavailable).")
    var nvenc = false

    @Flag(help: "Also write an animated WebP.")
    var webp = false

    @Option(help: "Animated WebP quality (0-100).")
    var webpQuality: Float = 80

    @Flag(help: "Also write a GIF.")
    var gif = false

    @Flag(help: "Also write a poster image of the first frame.")
    var poster = false

    @Option(help: "Poster format: jpg, webp or png.")
    var posterFormat = "jpg"

    @Option(help: "PNG logo (with alpha) to watermark every frame.")
    var watermark: String?

    @Option(help: "Text to watermark every frame (printable ASCII).")
    var watermarkText: String?

    @Option(help: "Watermark position: top-left, top-right, bottom-left, bottom-right, center.")
    var watermarkPosition = "bottom-right"

    @Option(help: "Logo width as a fraction of the frame width (text: height as a fraction of the short side; default 0.05).")
    var watermarkScale: Double?

    @Option(help: "Watermark opacity, 0-1.")
    var watermarkOpacity = 0.8

    @Option(help: "Watermark margin as a fraction of the frame's short side.")
    var watermarkMargin = 0.03

    func run() throws {
        let frames = try loadFrames()
        guard let first = frames.first else { throw ValidationError("no frames given: use --frames-dir or --in") }
        guard let loopMode = LoopMode(rawValue: loop.lowercased()) else { throw ValidationError("loop '\(loop)' is not forward or pingpong") }
        guard let position = WatermarkPosition(rawValue: watermarkPosition.lowercased()) else {
            throw ValidationError("watermark position '\(watermarkPosition)' is not one of \(WatermarkPosition.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var mark: Watermark?
        if let path = watermark {
            let logo = try ImageDecoder.decodeRGBA(try Data(contentsOf: URL(fileURLWithPath: path)),
                                                   options: DecodeOptions(limits: DecodeLimits(minimumSide: 1)))
            mark = try Watermark(logo: logo, frameWidth: first.width, frameHeight: first.height,
                                 options: WatermarkOptions(position: position, margin: watermarkMargin, scale: watermarkScale ?? 0.15, opacity: watermarkOpacity))
        } else if let text = watermarkText {
            mark = try Watermark(text: text, frameWidth: first.width, frameHeight: first.height,
                                 options: WatermarkOptions(position: position, margin: watermarkMargin, scale: watermarkScale ?? 0.05, opacity: watermarkOpacity))
        }
        let out = URL(fileURLWithPath: output)
        let stem = out.deletingPathExtension()
        let options = DeliveryOptions(
            sourceRate: try FrameRate(parsing: fps), mp4: out, loop: loopMode, duration: duration,
            interpolateTo: try interpolateFps.map { try FrameRate(parsing: $0) }, crf: crf, preset: preset,
            encoder: nvenc ? .nvenc : .x264, watermark: mark,
            webp: webp ? stem.appendingPathExtension("webp") : nil, webpQuality: webpQuality,
            gif: gif ? stem.appendingPathExtension("gif") : nil,
            poster: poster ? stem.appendingPathExtension("poster").appendingPathExtension(posterFormat) : nil)
        let report = try Delivery.encode(frames, options: options)
        for note in report.mp4.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print("\(output): \(report.mp4Frames) frames at \(report.rate) fps, \(first.width)x\(first.height), "
            + "\(report.mp4.encoder), \(report.mp4.bytes) bytes")
        for (path, bytes) in report.extraOutputs.sorted(by: { $0.key < $1.key }) { print("\(path): \(bytes) bytes") }
    }

    private func loadFrames() throws -> [RGBImage] {
        var paths = inputs.map { URL(fileURLWithPath: $0) }
        if let dir = framesDir {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
                throw ValidationError("cannot list --frames-dir \(dir): \(error.localizedDescription)")
            }
            paths += names.filter { !$0.hasPrefix(".") }.sorted().map { URL(fileURLWithPath: dir).appendingPathComponent($0) }
        }
        let options = DecodeOptions(limits: DecodeLimits(minimumSide: 16))
        return try paths.map { try ImageDecoder.decode(contentsOf: $0, options: options).image }
    }
}
