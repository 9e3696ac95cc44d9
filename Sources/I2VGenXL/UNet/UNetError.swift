/// Inputs whose shapes do not fit the UNet (config problems are `ModelConfigError`s). Prints as
/// one line naming the tensor.
public enum UNetError: Error, Equatable, CustomStringConvertible {
    case invalidInput(name: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidInput(name, reason): return "unet input \(name): \(reason)"
        }
    }
}
