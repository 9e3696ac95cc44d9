import CJPEGShim

/// JPEG through libjpeg-turbo, via the setjmp-guarded C layer in `CJPEGShim`.
enum JPEGCodec {
    static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions,
                       check: (ImageInfo) throws -> Void) throws -> (RGBImage, ImageInfo) {
        guard bytes.count > 0 else { throw MediaError.emptyInput }
        // Files whose complete image data lacks the final EOI marker are common; give them one
        // (see i2v_jpeg_open for why this also sharpens truncation detection).
        if bytes.count >= 2, bytes[bytes.count - 2] == 0xFF, bytes[bytes.count - 1] == 0xD9 {
            return try decode(bytes, eoiAppended: false, options: options, check: check)
        }
        var completed = [UInt8](bytes)
        completed += [0xFF, 0xD9]
        return try completed.withUnsafeBytes { try decode($0, eoiAppended: true, options: options, check: check) }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, eoiAppended: Bool, options: DecodeOptions,
                               check: (ImageInfo) throws -> Void) throws -> (RGBImage, ImageInfo) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw MediaError.emptyInput }
        var status: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        guard let dec = i2v_jpeg_open(base, bytes.count, Int32(clamping: options.limits.maxProgressiveScans),
                                      options.limits.maxDecoderMemory, eoiAppended ? 1 : 0,
                                      &status, &message, message.count) else {
            throw error(status: status, message: message)
        }
        defer { i2v_jpeg_close(dec) }
        var info = i2v_jpeg_info()
        i2v_jpeg_get_info(dec, &info)
        var orientation = EXIFOrientation.up
        if let exif = info.exif, info.exif_length > 0 {
            orientation = EXIFOrientation.parse(tiff: Array(UnsafeBufferPointer(start: exif, count: Int(info.exif_length))))
        }
        let header = ImageInfo(format: .jpeg, width: Int(info.width), height: Int(info.height), orientation: orientation,
                               hasAlpha: false, progressive: info.progressive != 0, animated: false,
                               jpegColorModel: colorModelName(info.color_space, adobe: info.adobe_marker != 0))
        try check(header)

        var denom: Int32 = 1
        var outW = header.width, outH = header.height
        if let minShort = options.minimumShortSide {
            for d: Int32 in [8, 4, 2] {
                var w: Int32 = 0, h: Int32 = 0
                i2v_jpeg_scaled_size(dec, d, &w, &h)
                if w > 0, h > 0, min(Int(w), Int(h)) >= minShort {
                    denom = d
                    outW = Int(w)
                    outH = Int(h)
                    break
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: outW * outH * 3)
        let rc = pixels.withUnsafeMutableBufferPointer { p in
            i2v_jpeg_read_rgb(dec, denom, p.baseAddress, p.count, &message, message.count)
        }
        guard rc == I2V_JPEG_OK else { throw error(status: rc, message: message) }
        return (RGBImage(width: outW, height: outH, pixels: pixels), header)
    }

    private static func colorModelName(_ cs: Int32, adobe: Bool) -> String {
        switch cs {
        case I2V_JPEG_CS_GRAY: return "grey"
        case I2V_JPEG_CS_RGB: return "RGB"
        case I2V_JPEG_CS_YCBCR: return "YCbCr"
        case I2V_JPEG_CS_CMYK: return adobe ? "CMYK (Adobe, inverted)" : "CMYK"
        case I2V_JPEG_CS_YCCK: return adobe ? "YCCK (Adobe, inverted)" : "YCCK"
        default: return "other"
        }
    }

    private static func error(status: Int32, message: [CChar]) -> MediaError {
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case I2V_JPEG_TRUNCATED: return .truncated(format: .jpeg, detail: text)
        case I2V_JPEG_TOO_MANY_SCANS: return .unsupported(format: .jpeg, detail: text)
        case I2V_JPEG_OUT_OF_MEMORY: return .unsupported(format: .jpeg, detail: "needs more decoder memory than allowed (\(text))")
        default: return .corrupt(format: .jpeg, detail: text.isEmpty ? "libjpeg error \(status)" : text)
        }
    }

    /// Compresses an RGB image (baseline or progressive, 4:2:0, optimised Huffman tables).
    /// `exif` is written as an APP1 "Exif" marker when given.
    static func encode(_ image: RGBImage, quality: Int, progressive: Bool = false, exif: [UInt8]? = nil) throws -> [UInt8] {
        try encodeRaw(image.pixels, width: image.width, height: image.height, components: 3,
                      colorSpace: I2V_JPEG_CS_YCBCR, adobeMarker: false, quality: quality,
                      progressive: progressive, exif: exif)
    }

    /// Compresses 4-channel CMYK bytes as stored (inverted when `adobeMarker`), as CMYK or YCCK.
    /// Exists so tests can build the CMYK/YCCK files that print workflows produce.
    static func encodeCMYK(_ cmyk: [UInt8], width: Int, height: Int, ycck: Bool, adobeMarker: Bool, quality: Int) throws -> [UInt8] {
        try encodeRaw(cmyk, width: width, height: height, components: 4,
                      colorSpace: ycck ? I2V_JPEG_CS_YCCK : I2V_JPEG_CS_CMYK,
                      adobeMarker: adobeMarker, quality: quality, progressive: false, exif: nil)
    }

    private static func encodeRaw(_ pixels: [UInt8], width: Int, height: Int, components: Int, colorSpace: Int32,
                                  adobeMarker: Bool, quality: Int, progressive: Bool, exif: [UInt8]?) throws -> [UInt8] {
        guard pixels.count == width * height * components else {
            throw MediaError.invalidArgument("JPEG encoder got \(pixels.count) bytes for \(width)x\(height)x\(components)")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let app1: [UInt8]? = exif.map { Array("Exif".utf8) + [0, 0] + $0 }
        let rc: Int32 = pixels.withUnsafeBufferPointer { p in
            if let app1 {
                return app1.withUnsafeBufferPointer { a in
                    i2v_jpeg_encode(p.baseAddress, Int32(width), Int32(height), Int32(components), colorSpace,
                                    adobeMarker ? 1 : 0, Int32(clamping: quality), progressive ? 1 : 0,
                                    a.baseAddress, UInt32(a.count), &out, &size, &message, message.count)
                }
            }
            return i2v_jpeg_encode(p.baseAddress, Int32(width), Int32(height), Int32(components), colorSpace,
                                   adobeMarker ? 1 : 0, Int32(clamping: quality), progressive ? 1 : 0,
                                   nil, 0, &out, &size, &message, message.count)
        }
        defer { i2v_jpeg_free(out) }
        guard rc == I2V_JPEG_OK, let out else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw MediaError.encodeFailed("JPEG: \(text)")
        }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }
}
