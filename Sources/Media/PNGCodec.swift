import CImageCodecs

/// PNG through libpng's simplified `png_image` API: it recovers from libpng errors internally
/// (its own setjmp) and reports them as a return code plus message, so no longjmp crosses Swift.
/// It expands palette, grey, tRNS and 16-bit data to 8-bit RGB(A) for us.
enum PNGCodec {
    private static let formatAlpha: UInt32 = 0x01     // PNG_FORMAT_FLAG_ALPHA
    private static let formatRGB: UInt32 = 0x02       // PNG_FORMAT_RGB
    private static let formatRGBA: UInt32 = 0x03      // PNG_FORMAT_RGBA
    private static let flag16BitSRGB: UInt32 = 0x04   // PNG_IMAGE_FLAG_16BIT_sRGB

    /// Decodes to RGBA when the file has alpha or tRNS, to RGB otherwise.
    static func decode(_ bytes: UnsafeRawBufferPointer,
                       check: (ImageInfo) throws -> Void) throws -> (pixels: [UInt8], channels: Int, header: ImageInfo) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            throw error(&image)
        }
        // From here on `image.opaque` holds libpng state; png_image_free is idempotent.
        defer { png_image_free(&image) }
        let header = ImageInfo(format: .png, width: Int(image.width), height: Int(image.height),
                               orientation: exifOrientation(in: bytes), hasAlpha: image.format & formatAlpha != 0,
                               progressive: false, animated: false, jpegColorModel: nil)
        try check(header)
        let channels = header.hasAlpha ? 4 : 3
        image.format = header.hasAlpha ? formatRGBA : formatRGB
        // 16-bit files without gAMA/sRGB are taken as sRGB-encoded, as Pillow and browsers do
        // (libpng would otherwise assume linear light and brighten them).
        image.flags |= flag16BitSRGB
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * channels)
        let ok = pixels.withUnsafeMutableBytes { p in
            png_image_finish_read(&image, nil, p.baseAddress, Int32(header.width * channels), nil)
        }
        guard ok != 0 else { throw error(&image) }
        return (pixels, channels, header)
    }

    private static func error(_ image: inout png_image) -> MediaError {
        let text = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let lower = text.lowercased()
        if lower.contains("end of data") || lower.contains("not enough") || lower.contains("truncated")
            || lower.contains("unexpected end") {
            return .truncated(format: .png, detail: text)
        }
        return .corrupt(format: .png, detail: text.isEmpty ? "libpng error" : text)
    }

    /// Finds an eXIf chunk by walking the chunk list (length, type, data, CRC); bounds-checked.
    static func exifOrientation(in bytes: UnsafeRawBufferPointer) -> EXIFOrientation {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let type = (bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7])
            let dataStart = offset + 8
            guard length >= 0, length <= bytes.count - dataStart else { return .up }
            if type == (0x65, 0x58, 0x49, 0x66) {   // "eXIf"
                return EXIFOrientation.parse(tiff: Array(bytes[dataStart..<(dataStart + length)]))
            }
            if type == (0x49, 0x45, 0x4E, 0x44) { return .up }   // "IEND"
            offset = dataStart + length + 4
        }
        return .up
    }

    /// Encodes 8-bit RGB (3 channels) or RGBA (4 channels) pixels as PNG.
    static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> [UInt8] {
        guard channels == 3 || channels == 4, pixels.count == width * height * channels else {
            throw MediaError.invalidArgument("PNG encoder got \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = channels == 4 ? formatRGBA : formatRGB
        let stride = Int32(width * channels)
        var size = 0
        let sized = pixels.withUnsafeBytes { p in
            png_image_write_to_memory(&image, nil, &size, 0, p.baseAddress, stride, nil)
        }
        guard sized != 0, size > 0 else { throw MediaError.encodeFailed("PNG: \(errorText(&image))") }
        var out = [UInt8](repeating: 0, count: size)
        let ok = out.withUnsafeMutableBytes { o in
            pixels.withUnsafeBytes { p in
                png_image_write_to_memory(&image, o.baseAddress, &size, 0, p.baseAddress, stride, nil)
            }
        }
        guard ok != 0 else { throw MediaError.encodeFailed("PNG: \(errorText(&image))") }
        return Array(out.prefix(size))
    }

    private static func errorText(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
