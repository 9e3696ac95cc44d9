import CFFmpeg
import CImageCodecs
import Foundation

/// What a video container holds (from the container and by decoding, not from the file name).
public struct VideoInfo: Sendable, Equatable {
    /// "mp4", "webp", "gif", … (libavformat's demuxer name, or "webp").
    public var container: String
    /// "h264", "webp", "gif", …
    public var codec: String
    /// e.g. "High" (H.264), nil when the codec has none.
    public var profile: String?
    /// e.g. "yuv420p" (nil for WebP, which libwebp decodes to RGBA itself).
    public var pixelFormat: String?
    public var width: Int
    public var height: Int
    /// Average frame rate.
    public var fps: Double
    /// Frames actually decoded.
    public var frameCount: Int
    public var duration: Double
}

/// Decodes videos back to frames: MP4/MOV/GIF and anything else libavformat demuxes, through
/// libavcodec and libswscale; animated WebP through libwebpdemux (FFmpeg 5 cannot decode it).
/// Used by quality checks and tests.
public enum VideoReader {
    /// Decodes every frame (at most `maxFrames`, whose pixels must fit `maxPixels` each).
    public static func readFrames(_ url: URL, maxFrames: Int = 5000, maxPixels: Int = 40_000_000) throws -> [RGBImage] {
        try read(url, maxFrames: maxFrames, maxPixels: maxPixels, keepFrames: true).frames
    }

    /// Container, codec and counts; decodes the stream to count frames exactly.
    public static func info(_ url: URL, maxFrames: Int = 100_000) throws -> VideoInfo {
        try read(url, maxFrames: maxFrames, maxPixels: 40_000_000, keepFrames: false).info
    }

    static func read(_ url: URL, maxFrames: Int, maxPixels: Int, keepFrames: Bool) throws -> (info: VideoInfo, frames: [RGBImage]) {
        let head: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = [UInt8](try handle.read(upToCount: 16) ?? Data())
        } catch {
            throw MediaError.io(path: url.path, detail: "cannot read (\(error.localizedDescription))")
        }
        do {
            if ImageFormat.sniff(head) == .webp {
                return try readWebP(url, maxFrames: maxFrames, maxPixels: maxPixels, keepFrames: keepFrames)
            }
            return try readWithFFmpeg(url, maxFrames: maxFrames, maxPixels: maxPixels, keepFrames: keepFrames)
        } catch let e as MediaError {
            throw MediaError.inFile(path: url.path, e)
        }
    }

    private static func readWebP(_ url: URL, maxFrames: Int, maxPixels: Int, keepFrames: Bool) throws -> (info: VideoInfo, frames: [RGBImage]) {
        let data = try ImageDecoder.readFile(url, maxBytes: 1 << 30)
        return try data.withUnsafeBytes { raw -> (VideoInfo, [RGBImage]) in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw MediaError.emptyInput }
            var webp = WebPData(bytes: base, size: raw.count)
            var options = WebPAnimDecoderOptions()
            guard WebPAnimDecoderOptionsInit(&options) != 0 else { throw MediaError.videoDecodeFailed("libwebp ABI mismatch") }
            options.color_mode = MODE_RGBA
            guard let decoder = WebPAnimDecoderNew(&webp, &options) else {
                throw MediaError.corrupt(format: .webp, detail: "not a decodable (animated) WebP")
            }
            defer { WebPAnimDecoderDelete(decoder) }
            var anim = WebPAnimInfo()
            guard WebPAnimDecoderGetInfo(decoder, &anim) != 0 else { throw MediaError.corrupt(format: .webp, detail: "no animation info") }
            let w = Int(anim.canvas_width), h = Int(anim.canvas_height)
            guard w * h <= maxPixels else { throw MediaError.tooManyPixels(width: w, height: h, limit: maxPixels) }
            var frames: [RGBImage] = []
            var count = 0
            var lastTimestamp: Int32 = 0
            while WebPAnimDecoderHasMoreFrames(decoder) != 0 {
                guard count < maxFrames else { throw MediaError.videoDecodeFailed("more than \(maxFrames) frames") }
                var buf: UnsafeMutablePointer<UInt8>?
                guard WebPAnimDecoderGetNext(decoder, &buf, &lastTimestamp) != 0, let buf else {
                    throw MediaError.corrupt(format: .webp, detail: "frame \(count) does not decode")
                }
                count += 1
                if keepFrames {
                    let rgba = RGBAImage(width: w, height: h, pixels: Array(UnsafeBufferPointer(start: buf, count: w * h * 4)))
                    frames.append(rgba.composited(over: .white))
                }
            }
            let duration = Double(lastTimestamp) / 1000
            let info = VideoInfo(container: "webp", codec: "webp", profile: nil, pixelFormat: nil, width: w, height: h,
                                 fps: duration > 0 ? Double(count) / duration : 0, frameCount: count, duration: duration)
            return (info, frames)
        }
    }

    private static func readWithFFmpeg(_ url: URL, maxFrames: Int, maxPixels: Int, keepFrames: Bool) throws -> (info: VideoInfo, frames: [RGBImage]) {
        _ = AV.quietOnce
        var fmt: UnsafeMutablePointer<AVFormatContext>?
        var rc = avformat_open_input(&fmt, url.path, nil, nil)
        guard rc >= 0, let format = fmt else { throw MediaError.videoDecodeFailed("not a readable video (\(AV.message(rc)))") }
        defer { avformat_close_input(&fmt) }
        rc = avformat_find_stream_info(format, nil)
        guard rc >= 0 else { throw MediaError.videoDecodeFailed("no stream information (\(AV.message(rc)))") }
        var decoderRef: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoderRef, 0)
        guard index >= 0, let decoderRef, let stream = format.pointee.streams[Int(index)] else {
            throw MediaError.videoDecodeFailed("no decodable video stream")
        }
        let par = stream.pointee.codecpar!
        let w = Int(par.pointee.width), h = Int(par.pointee.height)
        guard w > 0, h > 0 else { throw MediaError.videoDecodeFailed("video stream has no size") }
        guard w * h <= maxPixels else { throw MediaError.tooManyPixels(width: w, height: h, limit: maxPixels) }
        var ctx = avcodec_alloc_context3(decoderRef)
        guard let codec = ctx else { throw MediaError.videoDecodeFailed("out of memory") }
        defer { avcodec_free_context(&ctx) }
        avcodec_parameters_to_context(codec, par)
        codec.pointee.thread_count = 0
        rc = avcodec_open2(codec, decoderRef, nil)
        guard rc >= 0 else { throw MediaError.videoDecodeFailed("decoder failed to open (\(AV.message(rc)))") }

        var frame = av_frame_alloc(), packet = av_packet_alloc()
        defer { av_frame_free(&frame); av_packet_free(&packet) }
        guard let frame, let packet else { throw MediaError.videoDecodeFailed("out of memory") }
        var converter = FrameConverter()
        defer { converter.release() }
        var frames: [RGBImage] = []
        var count = 0
        var pixelFormat: String?

        func receive() throws {
            while true {
                let r = avcodec_receive_frame(codec, frame)
                if r == AV.errorEAGAIN || r == AV.errorEOF { return }
                guard r >= 0 else { throw MediaError.videoDecodeFailed("frame \(count): \(AV.message(r))") }
                guard count < maxFrames else { throw MediaError.videoDecodeFailed("more than \(maxFrames) frames") }
                if pixelFormat == nil, let name = av_get_pix_fmt_name(AVPixelFormat(frame.pointee.format)) {
                    pixelFormat = String(cString: name)
                }
                count += 1
                if keepFrames { frames.append(try converter.rgb(frame)) }
                av_frame_unref(frame)
            }
        }
        while av_read_frame(format, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == index else { continue }
            rc = avcodec_send_packet(codec, packet)
            guard rc >= 0 || rc == AV.errorEAGAIN else { throw MediaError.videoDecodeFailed("corrupt packet (\(AV.message(rc)))") }
            try receive()
        }
        avcodec_send_packet(codec, nil)
        try receive()

        let rate = stream.pointee.avg_frame_rate
        let fps = rate.den != 0 && rate.num != 0 ? Double(rate.num) / Double(rate.den) : 0
        var duration = 0.0
        if stream.pointee.duration > 0 {
            duration = Double(stream.pointee.duration) * Double(stream.pointee.time_base.num) / Double(stream.pointee.time_base.den)
        } else if format.pointee.duration > 0 {
            duration = Double(format.pointee.duration) / Double(AV_TIME_BASE)
        }
        var profile: String?
        if let p = avcodec_profile_name(par.pointee.codec_id, par.pointee.profile) { profile = String(cString: p) }
        let container = String(cString: format.pointee.iformat.pointee.name)
        let info = VideoInfo(container: container, codec: String(cString: avcodec_get_name(par.pointee.codec_id)),
                             profile: profile, pixelFormat: pixelFormat, width: w, height: h,
                             fps: fps, frameCount: count, duration: duration)
        return (info, frames)
    }
}

/// Converts decoded frames of any pixel format to RGB24 with libswscale, honouring the frame's
/// colour matrix and range (bt709 limited for our own MP4s).
private struct FrameConverter {
    private var sws: OpaquePointer?
    private var key: (Int32, Int32, Int32, UInt32, UInt32) = (0, 0, -1, 0, 0)

    mutating func rgb(_ frame: UnsafeMutablePointer<AVFrame>) throws -> RGBImage {
        let w = frame.pointee.width, h = frame.pointee.height, f = frame.pointee.format
        let space = frame.pointee.colorspace.rawValue, range = frame.pointee.color_range.rawValue
        if sws == nil || key != (w, h, f, space, range) {
            if let sws { sws_freeContext(sws) }
            sws = sws_getContext(w, h, AVPixelFormat(f), w, h, AV_PIX_FMT_RGB24,
                                 SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nil, nil, nil)
            guard let sws else { throw MediaError.videoDecodeFailed("no converter from pixel format \(f) to RGB") }
            let matrix: Int32 = frame.pointee.colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT
            let limited: Int32 = frame.pointee.color_range == AVCOL_RANGE_JPEG ? 1 : 0
            let coefficients = sws_getCoefficients(matrix)
            sws_setColorspaceDetails(sws, coefficients, limited, coefficients, 1, 0, 1 << 16, 1 << 16)
            key = (w, h, f, space, range)
        }
        var pixels = [UInt8](repeating: 0, count: Int(w) * Int(h) * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            var dst: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
            var dstStride: [Int32] = [w * 3, 0, 0, 0]
            withUnsafePointer(to: &frame.pointee.data) { data in
                data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { src in
                    withUnsafePointer(to: &frame.pointee.linesize) { lines in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { srcStride in
                            _ = sws_scale(sws, src, srcStride, 0, h, &dst, &dstStride)
                        }
                    }
                }
            }
        }
        return RGBImage(width: Int(w), height: Int(h), pixels: pixels)
    }

    mutating func release() {
        if let sws { sws_freeContext(sws) }
        sws = nil
    }
}
