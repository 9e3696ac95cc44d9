import CImageCodecs

/// WebP through libwebp (still images, lossy or lossless, with or without alpha) and libwebpdemux
/// (animations: the first frame, fully composed on the canvas). libwebp reports errors as status
/// codes, so it is called from Swift directly.
enum WebPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer,
                       check: (ImageInfo) throws -> Void) throws -> (pixels: [UInt8], channels: Int, header: ImageInfo) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count >= 12 else {
            throw MediaError.truncated(format: .webp, detail: "shorter than the RIFF header")
        }
        // The RIFF size field says how long the file must be; checking it first gives truncated
        // files a clear error instead of a generic bitstream failure.
        let riffSize = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        if riffSize + 8 > bytes.count {
            throw MediaError.truncated(format: .webp, detail: "RIFF header declares \(riffSize + 8) bytes, file has \(bytes.count)")
        }
        var features = WebPBitstreamFeatures()
        let status = WebPGetFeatures(base, bytes.count, &features)
        guard status == VP8_STATUS_OK else { throw error(status, stage: "reading the header") }
        let header = ImageInfo(format: .webp, width: Int(features.width), height: Int(features.height),
                               orientation: exifOrientation(base, bytes.count), hasAlpha: features.has_alpha != 0,
                               progressive: false, animated: features.has_animation != 0, jpegColorModel: nil)
        try check(header)
        if header.animated {
            return (try firstAnimationFrame(base, bytes.count, header), 4, header)
        }
        let channels = header.hasAlpha ? 4 : 3
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * channels)
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else { throw MediaError.unsupported(format: .webp, detail: "libwebp ABI mismatch") }
        let decodeStatus: VP8StatusCode = pixels.withUnsafeMutableBufferPointer { p in
            config.output.colorspace = header.hasAlpha ? MODE_RGBA : MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = p.baseAddress
            config.output.u.RGBA.stride = Int32(header.width * channels)
            config.output.u.RGBA.size = p.count
            return WebPDecode(base, bytes.count, &config)
        }
        WebPFreeDecBuffer(&config.output)
        guard decodeStatus == VP8_STATUS_OK else { throw error(decodeStatus, stage: "decoding") }
        return (pixels, channels, header)
    }

    private static func firstAnimationFrame(_ base: UnsafePointer<UInt8>, _ count: Int, _ header: ImageInfo) throws -> [UInt8] {
        var data = WebPData(bytes: base, size: count)
        var options = WebPAnimDecoderOptions()
        guard WebPAnimDecoderOptionsInit(&options) != 0 else { throw MediaError.unsupported(format: .webp, detail: "libwebp ABI mismatch") }
        options.color_mode = MODE_RGBA
        options.use_threads = 0
        guard let decoder = WebPAnimDecoderNew(&data, &options) else {
            throw MediaError.corrupt(format: .webp, detail: "animation container is malformed")
        }
        defer { WebPAnimDecoderDelete(decoder) }
        var info = WebPAnimInfo()
        guard WebPAnimDecoderGetInfo(decoder, &info) != 0, Int(info.canvas_width) == header.width,
              Int(info.canvas_height) == header.height, info.frame_count > 0 else {
            throw MediaError.corrupt(format: .webp, detail: "animation canvas does not match its header")
        }
        var frame: UnsafeMutablePointer<UInt8>?
        var timestamp: Int32 = 0
        guard WebPAnimDecoderGetNext(decoder, &frame, &timestamp) != 0, let frame else {
            throw MediaError.corrupt(format: .webp, detail: "first animation frame does not decode")
        }
        return Array(UnsafeBufferPointer(start: frame, count: header.width * header.height * 4))
    }

    private static func exifOrientation(_ base: UnsafePointer<UInt8>, _ count: Int) -> EXIFOrientation {
        var data = WebPData(bytes: base, size: count)
        guard let demux = WebPDemux(&data) else { return .up }
        defer { WebPDemuxDelete(demux) }
        var iter = WebPChunkIterator()
        guard WebPDemuxGetChunk(demux, "EXIF", 1, &iter) != 0 else { return .up }
        defer { WebPDemuxReleaseChunkIterator(&iter) }
        guard let bytes = iter.chunk.bytes, iter.chunk.size > 0 else { return .up }
        return EXIFOrientation.parse(tiff: Array(UnsafeBufferPointer(start: bytes, count: iter.chunk.size)))
    }

    private static func error(_ status: VP8StatusCode, stage: String) -> MediaError {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA: return .truncated(format: .webp, detail: "not enough data while \(stage)")
        case VP8_STATUS_UNSUPPORTED_FEATURE: return .unsupported(format: .webp, detail: "feature not supported by libwebp while \(stage)")
        case VP8_STATUS_OUT_OF_MEMORY: return .unsupported(format: .webp, detail: "out of memory while \(stage)")
        default: return .corrupt(format: .webp, detail: "bitstream error (status \(status.rawValue)) while \(stage)")
        }
    }
}
