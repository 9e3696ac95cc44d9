import CImageCodecs
import Foundation

/// Animated WebP through libwebpmux's WebPAnimEncoder: loops forever, lossy at a quality
/// setting (or lossless), frame timestamps on the exact frame-rate grid (rounded to ms).
public enum WebPAnimationWriter {
    public struct Options: Sendable, Equatable {
        public var rate: FrameRate
        /// 0 … 100 (lossy quality, or effort when lossless).
        public var quality: Float
        public var lossless: Bool
        /// 0 (fast) … 6 (slowest, smallest).
        public var method: Int

        public init(rate: FrameRate, quality: Float = 80, lossless: Bool = false, method: Int = 4) {
            self.rate = rate
            self.quality = quality
            self.lossless = lossless
            self.method = method
        }
    }

    public static func encode(_ frames: [RGBImage], options: Options) throws -> [UInt8] {
        guard let first = frames.first else { throw MediaError.invalidArgument("no frames to encode") }
        guard (0...100).contains(options.quality), (0...6).contains(options.method) else {
            throw MediaError.invalidArgument("WebP quality must be 0...100 and method 0...6")
        }
        guard first.width <= 16383, first.height <= 16383 else {
            throw MediaError.invalidArgument("WebP frames are limited to 16383 px per side")
        }
        var animOptions = WebPAnimEncoderOptions()
        guard WebPAnimEncoderOptionsInit(&animOptions) != 0 else { throw MediaError.encoderUnavailable("libwebpmux ABI mismatch") }
        animOptions.anim_params.loop_count = 0   // forever
        animOptions.anim_params.bgcolor = 0xFFFF_FFFF
        guard let encoder = WebPAnimEncoderNew(Int32(first.width), Int32(first.height), &animOptions) else {
            throw MediaError.encodeFailed("WebPAnimEncoder could not be created")
        }
        defer { WebPAnimEncoderDelete(encoder) }
        var config = WebPConfig()
        guard WebPConfigInit(&config) != 0 else { throw MediaError.encoderUnavailable("libwebp ABI mismatch") }
        config.quality = options.quality
        config.lossless = options.lossless ? 1 : 0
        config.method = Int32(options.method)
        guard WebPValidateConfig(&config) != 0 else { throw MediaError.invalidArgument("invalid WebP encoder configuration") }

        func timestamp(_ i: Int) -> Int32 { Int32((options.rate.seconds(ofFrame: i) * 1000).rounded()) }
        for (i, frame) in frames.enumerated() {
            guard frame.width == first.width, frame.height == first.height else {
                throw MediaError.invalidArgument("frame \(i) is \(frame.width)x\(frame.height), the animation is \(first.width)x\(first.height)")
            }
            var picture = WebPPicture()
            guard WebPPictureInit(&picture) != 0 else { throw MediaError.encoderUnavailable("libwebp ABI mismatch") }
            picture.width = Int32(frame.width)
            picture.height = Int32(frame.height)
            picture.use_argb = 1
            defer { WebPPictureFree(&picture) }
            let imported = frame.pixels.withUnsafeBufferPointer { WebPPictureImportRGB(&picture, $0.baseAddress, Int32(frame.width * 3)) }
            guard imported != 0 else { throw MediaError.encodeFailed("WebP: cannot import frame \(i)") }
            guard WebPAnimEncoderAdd(encoder, &picture, timestamp(i), &config) != 0 else {
                throw MediaError.encodeFailed("WebP frame \(i): \(String(cString: WebPAnimEncoderGetError(encoder)))")
            }
        }
        // A final NULL frame sets the last frame's duration.
        guard WebPAnimEncoderAdd(encoder, nil, timestamp(frames.count), nil) != 0 else {
            throw MediaError.encodeFailed("WebP: \(String(cString: WebPAnimEncoderGetError(encoder)))")
        }
        var data = WebPData()
        guard WebPAnimEncoderAssemble(encoder, &data) != 0, let bytes = data.bytes else {
            throw MediaError.encodeFailed("WebP: \(String(cString: WebPAnimEncoderGetError(encoder)))")
        }
        defer { WebPFree(UnsafeMutableRawPointer(mutating: bytes)) }
        return Array(UnsafeBufferPointer(start: bytes, count: data.size))
    }
}

/// Still images for posters and prepared frames.
public enum StillImageFormat: String, Sendable, CaseIterable {
    case jpeg, webp, png

    /// Chosen from an output path's extension (for output only; inputs are always sniffed).
    public init(forOutput url: URL) throws {
        switch url.pathExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "webp": self = .webp
        case "png": self = .png
        default: throw MediaError.invalidArgument("\(url.lastPathComponent): output must end in .jpg, .webp or .png")
        }
    }
}

public enum StillImageEncoder {
    /// Encodes one image. `quality` (1…100) applies to JPEG and lossy WebP.
    public static func encode(_ image: RGBImage, format: StillImageFormat, quality: Int = 90) throws -> [UInt8] {
        guard (1...100).contains(quality) else { throw MediaError.invalidArgument("quality \(quality) must be 1...100") }
        switch format {
        case .jpeg:
            return try JPEGCodec.encode(image, quality: quality)
        case .png:
            return try PNGCodec.encode(pixels: image.pixels, width: image.width, height: image.height, channels: 3)
        case .webp:
            guard image.width <= 16383, image.height <= 16383 else {
                throw MediaError.invalidArgument("WebP images are limited to 16383 px per side")
            }
            var out: UnsafeMutablePointer<UInt8>?
            let size = image.pixels.withUnsafeBufferPointer {
                WebPEncodeRGB($0.baseAddress, Int32(image.width), Int32(image.height), Int32(image.width * 3), Float(quality), &out)
            }
            defer { WebPFree(out) }
            guard size > 0, let out else { throw MediaError.encodeFailed("WebP still encoding failed") }
            return Array(UnsafeBufferPointer(start: out, count: size))
        }
    }

    /// Encodes and writes atomically (temporary file, then rename).
    public static func write(_ image: RGBImage, to url: URL, quality: Int = 90) throws {
        let bytes = try encode(image, format: try StillImageFormat(forOutput: url), quality: quality)
        try writeAtomically(bytes, to: url)
    }
}

/// Writes bytes to a temporary sibling and renames it over `url`, so readers never see a
/// partial file.
func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
    do { try Data(bytes).write(to: url, options: .atomic) } catch {
        throw MediaError.io(path: url.path, detail: "cannot write (\(error.localizedDescription))")
    }
}
