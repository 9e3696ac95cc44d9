import CFFmpeg
import Foundation

/// Streams RGB frames into an H.264 MP4 through libavcodec and libavformat: yuv420p (bt709
/// matrix, limited range, converted by libswscale), High profile, CRF, constant frame rate,
/// bt709 colour tags on codec and stream, and `+faststart` so the moov atom precedes mdat
/// (players can start before the whole file arrives). The file appears atomically: frames go
/// to a hidden temporary file next to the target, renamed over it by `finish()`.
public final class MP4Writer {
    public let url: URL
    public let width: Int
    public let height: Int
    public let options: H264Options
    public private(set) var report: EncodeReport

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var sws: OpaquePointer?
    private let temporaryURL: URL
    private var frameIndex: Int64 = 0
    private var finished = false

    public init(url: URL, width: Int, height: Int, options: H264Options) throws {
        _ = AV.quietOnce
        try options.validate()
        guard width >= 16, height >= 16, width <= 8192, height <= 8192, width % 2 == 0, height % 2 == 0 else {
            throw MediaError.invalidArgument("H.264 yuv420p needs even frame sides between 16 and 8192, got \(width)x\(height)")
        }
        self.url = url
        self.width = width
        self.height = height
        self.options = options
        self.temporaryURL = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).part")
        self.report = EncodeReport(encoder: "", frames: 0, bytes: 0, notes: [])
        do { try open() } catch {
            close()
            try? FileManager.default.removeItem(at: temporaryURL)
            throw error
        }
    }

    deinit {
        if !finished {
            close()
            try? FileManager.default.removeItem(at: temporaryURL)
        }
    }

    private func open() throws {
        var codecRef: UnsafePointer<AVCodec>?
        if options.encoder == .nvenc {
            do {
                codecRef = try openEncoder(named: H264Encoder.nvenc.rawValue)
            } catch let e as MediaError {
                report.notes.append("h264_nvenc is not available on this host (\(e)); encoded with libx264 instead")
                codecRef = nil
            }
        }
        if codecRef == nil { codecRef = try openEncoder(named: H264Encoder.x264.rawValue) }
        guard let codecRef, let codec else { throw MediaError.encoderUnavailable("no H.264 encoder could be opened") }
        report.encoder = String(cString: codecRef.pointee.name)

        var fmt: UnsafeMutablePointer<AVFormatContext>?
        var rc = avformat_alloc_output_context2(&fmt, nil, "mp4", temporaryURL.path)
        guard rc >= 0, let fmt else { throw MediaError.encodeFailed("cannot create an MP4 muxer: \(AV.message(rc))") }
        format = fmt
        guard let st = avformat_new_stream(fmt, nil) else { throw MediaError.encodeFailed("cannot add a video stream") }
        stream = st
        st.pointee.time_base = codec.pointee.time_base
        st.pointee.avg_frame_rate = AV.rational(options.rate)
        st.pointee.r_frame_rate = AV.rational(options.rate)
        rc = avcodec_parameters_from_context(st.pointee.codecpar, codec)
        guard rc >= 0 else { throw MediaError.encodeFailed("cannot copy codec parameters: \(AV.message(rc))") }

        rc = avio_open(&fmt.pointee.pb, temporaryURL.path, AVIO_FLAG_WRITE)
        guard rc >= 0 else {
            throw MediaError.io(path: url.path, detail: "cannot write (\(AV.message(rc)))")
        }
        var mux: OpaquePointer?
        av_dict_set(&mux, "movflags", "+faststart", 0)
        rc = avformat_write_header(fmt, &mux)
        av_dict_free(&mux)
        guard rc >= 0 else { throw MediaError.encodeFailed("cannot write the MP4 header: \(AV.message(rc))") }

        guard let f = av_frame_alloc(), let p = av_packet_alloc() else { throw MediaError.encodeFailed("out of memory") }
        frame = f
        packet = p
        f.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        f.pointee.width = Int32(width)
        f.pointee.height = Int32(height)
        f.pointee.color_primaries = AVCOL_PRI_BT709
        f.pointee.color_trc = AVCOL_TRC_BT709
        f.pointee.colorspace = AVCOL_SPC_BT709
        f.pointee.color_range = AVCOL_RANGE_MPEG
        rc = av_frame_get_buffer(f, 0)
        guard rc >= 0 else { throw MediaError.encodeFailed("cannot allocate a frame: \(AV.message(rc))") }

        sws = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height), AV_PIX_FMT_YUV420P,
                             SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, nil, nil, nil)
        guard let sws else { throw MediaError.encodeFailed("cannot create the RGB to YUV converter") }
        // RGB input is full range; output bt709 limited (MPEG) range.
        let bt709 = sws_getCoefficients(SWS_CS_ITU709)
        sws_setColorspaceDetails(sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16)
    }

    /// Allocates and opens an encoder context; leaves it in `self.codec` on success.
    private func openEncoder(named name: String) throws -> UnsafePointer<AVCodec> {
        guard let found = avcodec_find_encoder_by_name(name) else {
            throw MediaError.encoderUnavailable("\(name) is not built into this libavcodec")
        }
        guard let ctx = avcodec_alloc_context3(found) else { throw MediaError.encodeFailed("out of memory") }
        ctx.pointee.width = Int32(width)
        ctx.pointee.height = Int32(height)
        ctx.pointee.time_base = AVRational(num: Int32(options.rate.denominator), den: Int32(options.rate.numerator))
        ctx.pointee.framerate = AV.rational(options.rate)
        ctx.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        ctx.pointee.gop_size = Int32(max(1, (options.keyframeSeconds * options.rate.fps).rounded()))
        ctx.pointee.color_primaries = AVCOL_PRI_BT709
        ctx.pointee.color_trc = AVCOL_TRC_BT709
        ctx.pointee.colorspace = AVCOL_SPC_BT709
        ctx.pointee.color_range = AVCOL_RANGE_MPEG
        // MP4 keeps SPS/PPS in the avcC box, not in-band.
        ctx.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        var opts: OpaquePointer?
        if name == H264Encoder.nvenc.rawValue {
            av_dict_set(&opts, "preset", options.nvencPreset, 0)
            av_dict_set(&opts, "rc", "vbr", 0)
            av_dict_set(&opts, "cq", "\(options.crf)", 0)
            av_dict_set(&opts, "b", "0", 0)
            av_dict_set(&opts, "profile", "high", 0)
        } else {
            av_dict_set(&opts, "preset", options.preset, 0)
            av_dict_set(&opts, "crf", "\(options.crf)", 0)
            av_dict_set(&opts, "profile", "high", 0)
            // x264 signals High only when a High feature is on; the fastest presets turn the
            // 8x8 transform off and would fall back to Constrained Baseline.
            av_dict_set(&opts, "8x8dct", "1", 0)
        }
        let rc = avcodec_open2(ctx, found, &opts)
        av_dict_free(&opts)
        guard rc >= 0 else {
            var doomed: UnsafeMutablePointer<AVCodecContext>? = ctx
            avcodec_free_context(&doomed)
            throw MediaError.encoderUnavailable("\(name) failed to open: \(AV.message(rc))")
        }
        codec = ctx
        return found
    }

    /// Encodes one frame; all frames must have the writer's size.
    public func append(_ image: RGBImage) throws {
        guard !finished else { throw MediaError.invalidArgument("MP4 writer already finished") }
        guard image.width == width, image.height == height else {
            throw MediaError.invalidArgument("frame \(frameIndex) is \(image.width)x\(image.height), the video is \(width)x\(height)")
        }
        guard let frame, let sws else { throw MediaError.encodeFailed("writer is closed") }
        var rc = av_frame_make_writable(frame)
        guard rc >= 0 else { throw MediaError.encodeFailed("frame not writable: \(AV.message(rc))") }
        image.pixels.withUnsafeBufferPointer { src in
            var srcPlanes: [UnsafePointer<UInt8>?] = [src.baseAddress, nil, nil, nil]
            var srcStrides: [Int32] = [Int32(width * 3), 0, 0, 0]
            withUnsafeMutablePointer(to: &frame.pointee.data) { data in
                data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { dst in
                    withUnsafeMutablePointer(to: &frame.pointee.linesize) { lines in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { dstStrides in
                            _ = sws_scale(sws, &srcPlanes, &srcStrides, 0, Int32(height), dst, dstStrides)
                        }
                    }
                }
            }
        }
        frame.pointee.pts = frameIndex
        frameIndex += 1
        rc = avcodec_send_frame(codec, frame)
        guard rc >= 0 else { throw MediaError.encodeFailed("encoder rejected frame \(frameIndex - 1): \(AV.message(rc))") }
        try drain()
        report.frames += 1
    }

    private func drain() throws {
        guard let codec, let packet, let stream, let format else { return }
        while true {
            let rc = avcodec_receive_packet(codec, packet)
            if rc == AV.errorEAGAIN || rc == AV.errorEOF { return }
            guard rc >= 0 else { throw MediaError.encodeFailed("encoder error: \(AV.message(rc))") }
            av_packet_rescale_ts(packet, codec.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            let w = av_interleaved_write_frame(format, packet)
            guard w >= 0 else { throw MediaError.io(path: url.path, detail: "write failed (\(AV.message(w)))") }
        }
    }

    /// Flushes the encoder, writes the index (moved to the front) and moves the file into place.
    @discardableResult
    public func finish() throws -> EncodeReport {
        guard !finished else { return report }
        guard report.frames > 0 else { throw MediaError.invalidArgument("no frames were written to \(url.lastPathComponent)") }
        let rc = avcodec_send_frame(codec, nil)
        guard rc >= 0 else { throw MediaError.encodeFailed("cannot flush the encoder: \(AV.message(rc))") }
        try drain()
        let t = av_write_trailer(format)
        guard t >= 0 else { throw MediaError.io(path: url.path, detail: "cannot finish the MP4 (\(AV.message(t)))") }
        close()
        guard Foundation.rename(temporaryURL.path, url.path) == 0 else {
            throw MediaError.io(path: url.path, detail: "cannot move the finished video into place (errno \(errno))")
        }
        finished = true
        report.bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return report
    }

    private func close() {
        if let sws { sws_freeContext(sws) }
        sws = nil
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        if let format {
            if format.pointee.pb != nil { avio_closep(&format.pointee.pb) }
            avformat_free_context(format)
        }
        format = nil
    }

    /// Encodes a whole clip.
    @discardableResult
    public static func write(_ frames: [RGBImage], to url: URL, options: H264Options) throws -> EncodeReport {
        guard let first = frames.first else { throw MediaError.invalidArgument("no frames to encode") }
        let writer = try MP4Writer(url: url, width: first.width, height: first.height, options: options)
        for f in frames { try writer.append(f) }
        return try writer.finish()
    }
}
