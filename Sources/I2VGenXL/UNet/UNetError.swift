/// Errors of the UNet: a bad config or inputs whose shapes do not fit the model. Each case prints
/// as one line naming the field or tensor.
public enum UNetError: Error, Equatable, CustomStringConvertible {
    case invalidConfig(field: String, reason: String)
    case invalidInput(name: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfig(field, reason): return "unet config: \(field) \(reason)"
        case let .invalidInput(name, reason): return "unet input \(name): \(reason)"
        }
    }
}
