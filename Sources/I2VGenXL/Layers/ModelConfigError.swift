/// A model configuration the implementation cannot build (a value outside what the reference
/// supports, or an inconsistent combination). The message names the field.
public enum ModelConfigError: Error, CustomStringConvertible, Equatable {
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let field, let reason): return "invalid model config field \"\(field)\": \(reason)"
        }
    }
}
