import Foundation

/// What `probe` found in a file: a still image, an animation/video, or both (animated WebP).
public struct MediaProbeResult: Sendable, Equatable {
    public var path: String
    public var bytes: Int
    public var image: ImageInfo?
    public var video: VideoInfo?

    /// Flat key/value view for printing and JSON.
    public var fields: [(String, String)] {
        var f: [(String, String)] = [("file", path), ("bytes", "\(bytes)")]
        if let i = image {
            f += [("kind", i.animated ? "animated image" : "image"), ("format", i.format.rawValue),
                  ("width", "\(i.width)"), ("height", "\(i.height)"),
                  ("display_width", "\(i.displayWidth)"), ("display_height", "\(i.displayHeight)"),
                  ("orientation", "\(i.orientation.rawValue) (\(i.orientation))"), ("alpha", "\(i.hasAlpha)")]
            if i.format == .jpeg { f += [("progressive", "\(i.progressive)"), ("color_model", i.jpegColorModel ?? "?")] }
        } else {
            f.append(("kind", "video"))
        }
        if let v = video {
            f += [("container", v.container), ("codec", v.codec)]
            if let p = v.profile { f.append(("profile", p)) }
            if let p = v.pixelFormat { f.append(("pix_fmt", p)) }
            if image == nil { f += [("width", "\(v.width)"), ("height", "\(v.height)")] }
            f += [("fps", String(format: "%.3f", v.fps)), ("frames", "\(v.frameCount)"), ("duration", String(format: "%.3f", v.duration))]
        }
        return f
    }
}

public enum MediaProbe {
    /// Images are recognised by content; anything else is handed to the video reader.
    public static func probe(_ url: URL) throws -> MediaProbeResult {
        let data = try ImageDecoder.readFile(url, maxBytes: 4 << 30)
        guard !data.isEmpty else { throw MediaError.inFile(path: url.path, .emptyInput) }
        if ImageFormat.sniff(data) != nil {
            let info: ImageInfo
            do { info = try ImageDecoder.info(data, maxBytes: Int.max) } catch let e as MediaError { throw MediaError.inFile(path: url.path, e) }
            let video = info.animated ? try VideoReader.info(url) : nil
            return MediaProbeResult(path: url.path, bytes: data.count, image: info, video: video)
        }
        return MediaProbeResult(path: url.path, bytes: data.count, image: nil, video: try VideoReader.info(url))
    }
}
