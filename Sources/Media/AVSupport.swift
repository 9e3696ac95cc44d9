import CFFmpeg
import Foundation

/// Small helpers around the FFmpeg C API (macros Swift cannot import, error strings, logging).
enum AV {
    static let errorEAGAIN: Int32 = -EAGAIN
    /// AVERROR_EOF = -MKTAG('E','O','F',' ').
    static let errorEOF: Int32 = -Int32(bitPattern: 0x45 | 0x4F << 8 | 0x46 << 16 | 0x20 << 24)

    static func message(_ code: Int32) -> String {
        var buf = [CChar](repeating: 0, count: 256)
        av_strerror(code, &buf, buf.count)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// FFmpeg logs to stderr by default (x264 prints statistics at every close); keep errors only.
    static let quietOnce: Void = { av_log_set_level(AV_LOG_ERROR) }()

    static func rational(_ r: FrameRate) -> AVRational { AVRational(num: Int32(r.numerator), den: Int32(r.denominator)) }
}
