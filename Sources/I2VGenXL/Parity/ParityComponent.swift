import ModelIO
import Tensor

/// One component of the parity contract (shared PARITY.md): it reads its input tensors, runs the
/// Swift implementation on a backend, and returns exactly the output tensors the contract lists.
///
/// To add a component: write a type conforming to this protocol in its own file and list it in
/// `ParityRegistry.all`.
public protocol ParityComponent: Sendable {
    /// The name on the command line, e.g. `text-encoder`.
    var name: String { get }
    /// One line for `i2v parity --help`.
    var summary: String { get }
    func run(_ context: ParityContext) throws -> ParityOutputs
}

/// What a component run gets: the model folder, the inputs file and the backend.
public struct ParityContext {
    public let model: ModelDirectory
    public let inputs: ParityInputs
    public let backend: any Backend

    public init(model: ModelDirectory, inputs: ParityInputs, backend: any Backend) {
        self.model = model
        self.inputs = inputs
        self.backend = backend
    }
}

/// Failures of a parity run that are not model-loading errors: an unknown component or an input
/// file that lacks, or mis-shapes, what the component needs. Each renders as one line naming the
/// file and the tensor or metadata key.
public enum ParityError: Error, Equatable, CustomStringConvertible {
    case unknownComponent(String, known: [String])
    case missingInput(file: String, name: String, expected: String)
    case invalidInput(file: String, name: String, reason: String)

    public var description: String {
        switch self {
        case .unknownComponent(let name, let known):
            return "unknown parity component '\(name)' (known: \(known.joined(separator: ", ")))"
        case .missingInput(let file, let name, let expected):
            return "\(file): missing input '\(name)' (expected \(expected))"
        case .invalidInput(let file, let name, let reason):
            return "\(file): input '\(name)' \(reason)"
        }
    }
}

/// Output tensors in the order a component produces them.
public struct ParityOutputs {
    public private(set) var writer = SafetensorsWriter()
    public private(set) var names: [String] = []

    public init() {}

    public mutating func add(_ name: String, float32 values: [Float], shape: [Int]) throws {
        try writer.add(name, float32: values, shape: shape)
        names.append(name)
    }

    public mutating func add(_ name: String, int64 values: [Int], shape: [Int]) throws {
        try writer.add(name, int64: values, shape: shape)
        names.append(name)
    }

    /// A backend tensor, read back as float32.
    public mutating func add(_ name: String, _ tensor: Tensor, on backend: any Backend) throws {
        try add(name, float32: backend.toHost(tensor), shape: tensor.shape)
    }
}
