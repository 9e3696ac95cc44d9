/// Which H.264 encoder to use.
public enum H264Encoder: String, Sendable, CaseIterable {
    /// libx264 through libavcodec (software; always available).
    case x264 = "libx264"
    /// NVIDIA NVENC through libavcodec; falls back to libx264 with a note when the host has no
    /// usable NVIDIA encoder (no driver, no GPU, or a GPU without NVENC such as H100).
    case nvenc = "h264_nvenc"
}

/// H.264 MP4 settings. Defaults follow common web/marketplace conventions (product.md §5):
/// yuv420p, High profile, CRF 18, preset medium, bt709 tags, +faststart.
public struct H264Options: Sendable, Equatable {
    public var rate: FrameRate
    /// Constant rate factor, 1 … 51; 18–28 is the sane range, lower is better. (0 would be
    /// lossless, which needs the High 4:4:4 profile that web players reject.)
    public var crf: Int
    /// x264 preset (ultrafast … veryslow); for NVENC mapped to p1 … p7.
    public var preset: String
    public var encoder: H264Encoder
    /// Keyframe interval in seconds (seekability of long loops).
    public var keyframeSeconds: Double

    public init(rate: FrameRate, crf: Int = 18, preset: String = "medium", encoder: H264Encoder = .x264,
                keyframeSeconds: Double = 2) {
        self.rate = rate
        self.crf = crf
        self.preset = preset
        self.encoder = encoder
        self.keyframeSeconds = keyframeSeconds
    }

    static let x264Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]

    func validate() throws {
        guard (1...51).contains(crf) else { throw MediaError.invalidArgument("crf \(crf) must be between 1 and 51") }
        guard Self.x264Presets.contains(preset) else {
            throw MediaError.invalidArgument("preset '\(preset)' is not one of \(Self.x264Presets.joined(separator: ", "))")
        }
        guard keyframeSeconds > 0, keyframeSeconds <= 60 else {
            throw MediaError.invalidArgument("keyframe interval \(keyframeSeconds) s must be between 0 and 60 s")
        }
    }

    /// NVENC presets p1 (fastest) … p7 (best), matched to the x264 preset's position.
    var nvencPreset: String {
        let i = Self.x264Presets.firstIndex(of: preset) ?? 5
        return "p\(1 + i * 6 / (Self.x264Presets.count - 1))"
    }
}

/// What an encoder did, for logs and job records.
public struct EncodeReport: Sendable, Equatable {
    /// The libavcodec encoder that produced the stream (e.g. "libx264").
    public var encoder: String
    public var frames: Int
    public var bytes: Int
    /// Human-readable notes, e.g. a fallback from NVENC to libx264.
    public var notes: [String]
}
