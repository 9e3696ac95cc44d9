import Foundation

/// Everything that turns generated frames into the delivered files: optional frame-rate
/// interpolation, watermark, loop to duration, H.264 MP4, and optionally animated WebP, GIF and
/// a poster image. One call per job; the CLI's `media encode` and the worker both use it.
public struct DeliveryOptions: Sendable {
    /// Frame rate the frames were generated at.
    public var sourceRate: FrameRate
    /// Raise to this rate by blending neighbouring frames first (nil: keep `sourceRate`).
    public var interpolateTo: FrameRate?
    public var loop: LoopMode
    /// MP4 length in seconds (nil: one loop cycle). WebP and GIF hold one cycle and loop
    /// forever on their own.
    public var duration: Double?
    public var h264: H264Options
    public var watermark: Watermark?
    public var mp4: URL
    public var webp: URL?
    public var webpQuality: Float
    public var gif: URL?
    /// Poster (first frame, watermarked): .jpg, .webp or .png.
    public var poster: URL?

    public init(sourceRate: FrameRate, mp4: URL, loop: LoopMode = .forward, duration: Double? = nil,
                interpolateTo: FrameRate? = nil, crf: Int = 18, preset: String = "medium", encoder: H264Encoder = .x264,
                watermark: Watermark? = nil, webp: URL? = nil, webpQuality: Float = 80, gif: URL? = nil, poster: URL? = nil) {
        self.sourceRate = sourceRate
        self.interpolateTo = interpolateTo
        self.loop = loop
        self.duration = duration
        self.h264 = H264Options(rate: interpolateTo ?? sourceRate, crf: crf, preset: preset, encoder: encoder)
        self.watermark = watermark
        self.mp4 = mp4
        self.webp = webp
        self.webpQuality = webpQuality
        self.gif = gif
        self.poster = poster
    }
}

public struct DeliveryReport: Sendable, Equatable {
    public var mp4: EncodeReport
    /// Frames in one loop cycle (what WebP/GIF hold) and in the MP4.
    public var cycleFrames: Int
    public var mp4Frames: Int
    public var rate: FrameRate
    /// Bytes written per extra output, keyed by path.
    public var extraOutputs: [String: Int]
}

public enum Delivery {
    public static func encode(_ frames: [RGBImage], options: DeliveryOptions) throws -> DeliveryReport {
        guard let first = frames.first else { throw MediaError.invalidArgument("no frames to deliver") }
        for (i, f) in frames.enumerated() where f.width != first.width || f.height != first.height {
            throw MediaError.invalidArgument("frame \(i) is \(f.width)x\(f.height), frame 0 is \(first.width)x\(first.height)")
        }
        var clip = frames
        if let to = options.interpolateTo { clip = try FrameSequence.interpolate(clip, from: options.sourceRate, to: to) }
        if let mark = options.watermark { clip = mark.applied(to: clip) }
        let rate = options.interpolateTo ?? options.sourceRate
        let cycle = try FrameSequence.arrange(clip, mode: options.loop)
        let full = try options.duration.map { try FrameSequence.arrange(clip, mode: options.loop, duration: $0, rate: rate) } ?? cycle

        let mp4 = try MP4Writer.write(full, to: options.mp4, options: options.h264)
        var extra: [String: Int] = [:]
        if let url = options.webp {
            let bytes = try WebPAnimationWriter.encode(cycle, options: .init(rate: rate, quality: options.webpQuality))
            try writeAtomically(bytes, to: url)
            extra[url.path] = bytes.count
        }
        if let url = options.gif {
            let bytes = try GIFWriter.encode(cycle, options: .init(rate: rate))
            try writeAtomically(bytes, to: url)
            extra[url.path] = bytes.count
        }
        if let url = options.poster {
            let bytes = try StillImageEncoder.encode(clip[0], format: try StillImageFormat(forOutput: url), quality: 90)
            try writeAtomically(bytes, to: url)
            extra[url.path] = bytes.count
        }
        return DeliveryReport(mp4: mp4, cycleFrames: cycle.count, mp4Frames: full.count, rate: rate, extraOutputs: extra)
    }
}
