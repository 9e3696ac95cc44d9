import ArgumentParser
import Foundation
import Media

/// In-process timings of one media stage, for scripts/bench_media.sh (not a test). Inputs are
/// decoded before the clock starts when the task is an encoder; the result is one JSON line.
struct MediaBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time one media stage in-process (used by scripts/bench_media.sh).")

    @Option(help: "decode (one image, --in), mp4, webp or gif (frames from --frames-dir).")
    var task: String

    @Option(name: .customLong("in"), help: "Image to decode.")
    var input: String?

    @Option(help: "Folder of frames to encode.")
    var framesDir: String?

    @Option(help: "Frame rate for encoders.")
    var fps = "16"

    @Option(help: "x264 preset.")
    var preset = "medium"

    @Option(help: "H.264 CRF.")
    var crf = 18

    @Option(help: "decode: allow libjpeg DCT scaling down to this short side (as a prepare step for a known target size would).")
    var minShortSide: Int?

    @Option(name: .customLong("repeat"), help: "Timed repetitions (the median and minimum are reported).")
    var repetitions: Int = 3

    @Option(help: "Where encoders write (deleted afterwards).")
    var scratch = NSTemporaryDirectory()

    func run() throws {
        guard (1...100).contains(repetitions) else { throw ValidationError("--repeat must be 1...100") }
        var times: [Double] = []
        var units = 1
        switch task {
        case "decode":
            guard let input else { throw ValidationError("decode needs --in") }
            let data = try Data(contentsOf: URL(fileURLWithPath: input))
            var size = (0, 0)
            for _ in 0..<repetitions {
                let t = clock()
                let d = try ImageDecoder.decode(data, options: DecodeOptions(minimumShortSide: minShortSide))
                times.append(clock() - t)
                size = (d.image.width, d.image.height)
            }
            report(times, units: 1, extra: ["width": "\(size.0)", "height": "\(size.1)"])
            return
        case "mp4", "webp", "gif":
            guard let framesDir else { throw ValidationError("\(task) needs --frames-dir") }
            let names = try FileManager.default.contentsOfDirectory(atPath: framesDir).filter { !$0.hasPrefix(".") }.sorted()
            let frames = try names.map { try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: framesDir).appendingPathComponent($0)).image }
            guard !frames.isEmpty else { throw ValidationError("no frames in \(framesDir)") }
            units = frames.count
            let rate = try FrameRate(parsing: fps)
            let out = URL(fileURLWithPath: scratch).appendingPathComponent("i2v-bench-\(UUID().uuidString).\(task)")
            defer { try? FileManager.default.removeItem(at: out) }
            var bytes = 0
            for _ in 0..<repetitions {
                let t = clock()
                switch task {
                case "mp4": bytes = try MP4Writer.write(frames, to: out, options: H264Options(rate: rate, crf: crf, preset: preset)).bytes
                case "webp": bytes = try WebPAnimationWriter.encode(frames, options: .init(rate: rate)).count
                default: bytes = try GIFWriter.encode(frames, options: .init(rate: rate)).count
                }
                times.append(clock() - t)
            }
            report(times, units: units, extra: ["frames": "\(units)", "bytes": "\(bytes)"])
        default:
            throw ValidationError("task '\(task)' is not decode, mp4, webp or gif")
        }
    }

    private func clock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    private func report(_ times: [Double], units: Int, extra: [String: String]) {
        let sorted = times.sorted()
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        var fields = extra
        fields["task"] = task
        fields["ms_median"] = String(format: "%.1f", sorted[sorted.count / 2])
        fields["ms_min"] = String(format: "%.1f", sorted[0])
        fields["ms_per_unit_median"] = String(format: "%.2f", sorted[sorted.count / 2] / Double(units))
        fields["peak_rss_mb"] = String(format: "%.1f", Double(usage.ru_maxrss) / 1024)
        let body = fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
        print("{\(body)}")
    }
}
