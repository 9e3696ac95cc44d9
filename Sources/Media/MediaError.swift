/// Every failure in the media pipeline. `description` is one line naming the problem, meant to be
/// shown as-is at the edge (CLI message, HTTP problem detail).
public enum MediaError: Error, Equatable, CustomStringConvertible, Sendable {
    case emptyInput
    case inputTooLarge(bytes: Int, limit: Int)
    case unrecognizedFormat(leadingBytes: String)
    case tooManyPixels(width: Int, height: Int, limit: Int)
    case tooSmall(width: Int, height: Int, minimumSide: Int)
    case truncated(format: ImageFormat, detail: String)
    case corrupt(format: ImageFormat, detail: String)
    case unsupported(format: ImageFormat, detail: String)
    case invalidArgument(String)
    case io(path: String, detail: String)
    case encoderUnavailable(String)
    case encodeFailed(String)
    case videoDecodeFailed(String)
    /// Wraps another error with the file it came from.
    indirect case inFile(path: String, MediaError)

    public var description: String {
        switch self {
        case .emptyInput:
            return "input is empty (0 bytes)"
        case let .inputTooLarge(bytes, limit):
            return "input is \(bytes) bytes, over the limit of \(limit) bytes"
        case let .unrecognizedFormat(lead):
            return "not a JPEG, PNG or WebP image (starts with \(lead.isEmpty ? "nothing" : lead))"
        case let .tooManyPixels(w, h, limit):
            return "image is \(w)x\(h) = \(w * h) pixels, over the limit of \(limit) pixels"
        case let .tooSmall(w, h, minimumSide):
            return "image is \(w)x\(h), smaller than the minimum side of \(minimumSide) px"
        case let .truncated(format, detail):
            return "\(format.name) data is truncated: \(detail)"
        case let .corrupt(format, detail):
            return "\(format.name) data is corrupt: \(detail)"
        case let .unsupported(format, detail):
            return "unsupported \(format.name): \(detail)"
        case let .invalidArgument(detail):
            return "invalid argument: \(detail)"
        case let .io(path, detail):
            return "\(path): \(detail)"
        case let .encoderUnavailable(detail):
            return "encoder unavailable: \(detail)"
        case let .encodeFailed(detail):
            return "encoding failed: \(detail)"
        case let .videoDecodeFailed(detail):
            return "video decoding failed: \(detail)"
        case let .inFile(path, inner):
            return "\(path): \(inner.description)"
        }
    }

    /// The error without any `inFile` wrapping, for matching in callers and tests.
    public var underlying: MediaError {
        if case let .inFile(_, inner) = self { return inner.underlying }
        return self
    }
}
