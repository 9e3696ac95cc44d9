import Foundation

/// What an image's header says, before any pixels are decoded.
public struct ImageInfo: Sendable, Equatable {
    public var format: ImageFormat
    /// As stored, before orientation.
    public var width: Int
    public var height: Int
    public var orientation: EXIFOrientation
    /// Alpha channel or tRNS transparency.
    public var hasAlpha: Bool
    /// Progressive JPEG.
    public var progressive: Bool
    /// Animated WebP (decoding takes the first frame).
    public var animated: Bool
    /// For JPEG: grey, YCbCr, RGB, CMYK or YCCK.
    public var jpegColorModel: String?

    /// Size after orientation is applied.
    public var displayWidth: Int { orientation.swapsAxes ? height : width }
    public var displayHeight: Int { orientation.swapsAxes ? width : height }
}

/// Decodes an uploaded photo: sniffs the format from its bytes, checks size limits before any
/// pixel memory is allocated, decodes, applies EXIF orientation and composites alpha over the
/// background. Everything that can go wrong is a `MediaError`.
public enum ImageDecoder {
    public static func decode(_ data: Data, options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        try data.withUnsafeBytes { try decode(bytes: $0, options: options) }
    }

    public static func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        try bytes.withUnsafeBytes { try decode(bytes: $0, options: options) }
    }

    /// Reads and decodes a file; errors name the file.
    public static func decode(contentsOf url: URL, options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        let data = try readFile(url, maxBytes: options.limits.maxBytes)
        do { return try decode(data, options: options) } catch let e as MediaError {
            throw MediaError.inFile(path: url.path, e)
        }
    }

    /// Decodes keeping transparency (for logos): oriented, not composited.
    public static func decodeRGBA(_ data: Data, options: DecodeOptions = DecodeOptions()) throws -> RGBAImage {
        try data.withUnsafeBytes { raw in
            let (pixels, channels, w, h, _) = try decodeOriented(raw, options: options)
            if channels == 4 { return RGBAImage(width: w, height: h, pixels: pixels) }
            return RGBAImage(RGBImage(width: w, height: h, pixels: pixels))
        }
    }

    /// Header-only look at an image: format, stored size, orientation, alpha. No pixels decoded.
    public static func info(_ data: Data, maxBytes: Int = DecodeLimits.default.maxBytes) throws -> ImageInfo {
        struct StopAfterHeader: Error { let info: ImageInfo }
        do {
            _ = try data.withUnsafeBytes { raw in
                try decodeRaw(raw, options: DecodeOptions(limits: DecodeLimits(maxBytes: maxBytes))) { throw StopAfterHeader(info: $0) }
            }
        } catch let stop as StopAfterHeader {
            return stop.info
        }
        throw MediaError.invalidArgument("image decoder did not report a header")
    }

    /// Reads a whole file, refusing ones over `maxBytes` before reading them.
    static func readFile(_ url: URL, maxBytes: Int) throws -> Data {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: url.path) } catch {
            throw MediaError.io(path: url.path, detail: "cannot read (\(error.localizedDescription))")
        }
        if let size = attributes[.size] as? Int, size > maxBytes {
            throw MediaError.inFile(path: url.path, .inputTooLarge(bytes: size, limit: maxBytes))
        }
        do { return try Data(contentsOf: url) } catch {
            throw MediaError.io(path: url.path, detail: "cannot read (\(error.localizedDescription))")
        }
    }

    static func decode(bytes raw: UnsafeRawBufferPointer, options: DecodeOptions) throws -> DecodedImage {
        let (pixels, channels, w, h, info) = try decodeOriented(raw, options: options)
        let rgb = channels == 4
            ? RGBAImage(width: w, height: h, pixels: pixels).composited(over: options.background)
            : RGBImage(width: w, height: h, pixels: pixels)
        return DecodedImage(image: rgb, format: info.format, storedWidth: info.width, storedHeight: info.height,
                            orientation: info.orientation, hadAlpha: info.hasAlpha, progressive: info.progressive,
                            animated: info.animated)
    }

    private static func decodeOriented(_ raw: UnsafeRawBufferPointer, options: DecodeOptions) throws
        -> (pixels: [UInt8], channels: Int, width: Int, height: Int, info: ImageInfo) {
        let limits = options.limits
        let (pixels, channels, w, h, info) = try decodeRaw(raw, options: options) { info in
            guard info.width > 0, info.height > 0 else {
                throw MediaError.corrupt(format: info.format, detail: "header declares \(info.width)x\(info.height)")
            }
            if info.width * info.height > limits.maxPixels {
                throw MediaError.tooManyPixels(width: info.width, height: info.height, limit: limits.maxPixels)
            }
            if min(info.width, info.height) < limits.minimumSide {
                throw MediaError.tooSmall(width: info.displayWidth, height: info.displayHeight, minimumSide: limits.minimumSide)
            }
        }
        guard options.applyOrientation, info.orientation != .up else { return (pixels, channels, w, h, info) }
        let o = applyOrientation(info.orientation, pixels: pixels, width: w, height: h, channels: channels)
        return (o.pixels, channels, o.width, o.height, info)
    }

    /// Sniff, limit-check via `check` (called once the header is known, before pixel buffers are
    /// allocated), decode. Pixels come back as stored (not oriented), 3 or 4 channels.
    private static func decodeRaw(_ raw: UnsafeRawBufferPointer, options: DecodeOptions,
                                  check: (ImageInfo) throws -> Void) throws
        -> (pixels: [UInt8], channels: Int, width: Int, height: Int, info: ImageInfo) {
        guard raw.count > 0 else { throw MediaError.emptyInput }
        guard raw.count <= options.limits.maxBytes else {
            throw MediaError.inputTooLarge(bytes: raw.count, limit: options.limits.maxBytes)
        }
        guard let format = ImageFormat.sniff(raw) else {
            throw MediaError.unrecognizedFormat(leadingBytes: ImageFormat.describeLeadingBytes(raw))
        }
        switch format {
        case .jpeg:
            let (image, info) = try JPEGCodec.decode(raw, options: options, check: check)
            return (image.pixels, 3, image.width, image.height, info)
        case .png:
            let (pixels, channels, info) = try PNGCodec.decode(raw, check: check)
            return (pixels, channels, info.width, info.height, info)
        case .webp:
            let (pixels, channels, info) = try WebPDecoder.decode(raw, check: check)
            return (pixels, channels, info.width, info.height, info)
        }
    }
}
