/// Why a QC run could not start. Defects in the clip are not errors: they are failed checks in
/// the `QCReport`.
public enum QCError: Error, Equatable, CustomStringConvertible {
    case noFrames
    case frameSizeMismatch(index: Int, width: Int, height: Int, expectedWidth: Int, expectedHeight: Int)
    case frameTooSmall(width: Int, height: Int, minimumSide: Int)
    case floatFrameValueCount(index: Int, count: Int, expected: Int)
    case inputAspectMismatch(inputWidth: Int, inputHeight: Int, frameWidth: Int, frameHeight: Int)
    case invalidThreshold(name: String, value: Double, allowed: String)
    case unknownThreshold(name: String)
    case thresholdsNotReadable(detail: String)
    /// A thresholds file that could not be read or parsed; `detail` says why.
    case thresholdsFile(path: String, detail: String)
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case .noFrames:
            return "QC needs at least one frame, got none"
        case let .frameSizeMismatch(i, w, h, ew, eh):
            return "frame \(i) is \(w)x\(h) but frame 0 is \(ew)x\(eh); all frames of a clip must have one size"
        case let .frameTooSmall(w, h, m):
            return "frames are \(w)x\(h); QC needs both sides of at least \(m) pixels"
        case let .floatFrameValueCount(i, n, e):
            return "float frame \(i) has \(n) values, expected \(e) (width × height × 3)"
        case let .inputAspectMismatch(iw, ih, fw, fh):
            return "input image \(iw)x\(ih) does not have the aspect ratio of the frames \(fw)x\(fh); pass the prepared input"
        case let .invalidThreshold(name, value, allowed):
            return "threshold '\(name)' = \(value) is outside \(allowed)"
        case let .unknownThreshold(name):
            return "unknown threshold '\(name)' (see docs/QC.md for the names)"
        case let .thresholdsNotReadable(detail):
            return "thresholds are not a JSON object of numbers: \(detail)"
        case let .thresholdsFile(path, detail):
            return "\(path): \(detail)"
        case let .io(path, detail):
            return "\(path): \(detail)"
        }
    }
}
