// Matches diffusers models/activations.py get_activation and transformers activations.py ACT2FN
// for the names the I2VGen-XL components use.
import Tensor

/// A pointwise non-linearity named in a model config (`act_fn`, `hidden_act`).
public enum Activation: String, Sendable, CaseIterable {
    case silu
    case gelu
    case geluTanh
    case quickGelu

    /// Parses the config spelling; throws naming `field` for anything unsupported.
    public init(configName: String, field: String) throws {
        switch configName {
        case "silu", "swish": self = .silu
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh": self = .geluTanh
        case "quick_gelu": self = .quickGelu
        default:
            throw ModelConfigError.invalid(field: field, reason: "unsupported activation \"\(configName)\"")
        }
    }

    public func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        switch self {
        case .silu: return b.unary(.silu, x)
        case .gelu: return b.unary(.gelu, x)
        case .geluTanh: return b.unary(.geluTanh, x)
        case .quickGelu: return b.unary(.quickGelu, x)
        }
    }
}
