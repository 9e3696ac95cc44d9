import Tensor

/// Which backend runs the model: `auto` (the first CUDA GPU when a driver and a device are
/// present, else the CPU), `cpu`, or `cuda:N` (GPU N; `cuda` means `cuda:0`). Parsed from
/// `--device` and `I2V_DEVICE`.
public enum DeviceSelection: Equatable, Sendable, CustomStringConvertible {
    case auto
    case cpu
    case cuda(Int)

    public init(parsing text: String) throws {
        let t = text.lowercased()
        switch t {
        case "auto": self = .auto
        case "cpu": self = .cpu
        case "cuda", "gpu": self = .cuda(0)
        default:
            if t.hasPrefix("cuda:"), let n = Int(t.dropFirst(5)), n >= 0 { self = .cuda(n); return }
            throw DeviceSelectionError.invalid(text)
        }
    }

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .cpu: return "cpu"
        case .cuda(let n): return "cuda:\(n)"
        }
    }

    /// Opens the backend (on a GPU, bfloat16 storage by default: the range of float32, so the VAE —
    /// whose config says `force_upcast` because fp16 overflows in it — is safe too). `auto` falls back to the CPU (returning why in `note`) when CUDA is not
    /// usable; an explicit `cuda:N` throws the CUDA error instead.
    public func makeBackend(precision: CUDAPrecision = .bfloat16) throws -> (backend: any Backend, note: String?) {
        switch self {
        case .cpu:
            return (CPUBackend(), nil)
        case .cuda(let n):
            return (try CUDABackend(device: n, precision: precision), nil)
        case .auto:
            do {
                return (try CUDABackend(device: 0, precision: precision), nil)
            } catch {
                return (CPUBackend(), "no usable CUDA GPU (\(error)); running on the CPU")
            }
        }
    }
}

public enum DeviceSelectionError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String { "unknown device '\(text)': use auto, cpu, cuda or cuda:N" }
    private var text: String { if case .invalid(let t) = self { return t }; return "" }
}
