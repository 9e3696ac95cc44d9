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
}

/// The backends one I2VGen-XL pipeline runs on: the text/vision encoders and the UNet on `model`,
/// the VAE on `vae` (the same object on the CPU).
public struct PipelineBackends {
    public let model: any Backend
    public let vae: any Backend
    public init(model: any Backend, vae: any Backend) { self.model = model; self.vae = vae }
}

extension DeviceSelection {
    /// On a GPU: the model in float16 (what diffusers runs; 10× less rounding than bfloat16, see
    /// docs/PERFORMANCE.md) and the VAE in bfloat16 (its config says `force_upcast`: fp16 overflows
    /// there). On the CPU one backend for both. `auto` falls back to the CPU (saying why in `note`)
    /// when CUDA is not usable; an explicit `cuda:N` throws the CUDA error instead.
    public func makePipelineBackends(cpu: @autoclosure () -> CPUBackend = CPUBackend()) throws -> (backends: PipelineBackends, note: String?) {
        func gpu(_ n: Int) throws -> PipelineBackends {
            PipelineBackends(model: try CUDABackend(device: n, precision: .float16), vae: try CUDABackend(device: n, precision: .bfloat16))
        }
        switch self {
        case .cpu:
            let c = cpu()
            return (PipelineBackends(model: c, vae: c), nil)
        case .cuda(let n):
            return (try gpu(n), nil)
        case .auto:
            do { return (try gpu(0), nil) } catch {
                let c = cpu()
                return (PipelineBackends(model: c, vae: c), "no usable CUDA GPU (\(error)); running on the CPU")
            }
        }
    }
}

public enum DeviceSelectionError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String { "unknown device '\(text)': use auto, cpu, cuda or cuda:N" }
    private var text: String { if case .invalid(let t) = self { return t }; return "" }
}
