import Foundation
import ModelIO
import Tensor

/// The parity components by command-line name. A new component (the UNet helper's `unet` and
/// `pipeline`) is one file with a `ParityComponent` plus one entry in `all`.
public enum ParityRegistry {
    public static let all: [any ParityComponent] = [
        TokenizerParityComponent(),
        TextEncoderParity(),
        ImageEncoderParity(),
        PreprocessParity(),
        VAEEncodeParity(),
        VAEDecodeParity(),
        SchedulerParity(),
        UNetParity(),
        PipelineParity(),
    ]

    public static var names: [String] { all.map(\.name) }

    public static func component(_ name: String) throws -> any ParityComponent {
        guard let c = all.first(where: { $0.name == name }) else {
            throw ParityError.unknownComponent(name, known: names)
        }
        return c
    }
}

/// The `i2v parity` entry point, also called by the parity tests (same code path).
public enum Parity {
    /// Runs `component` on the model folder and the inputs file and returns its outputs
    /// without writing them.
    public static func compute(component: String, model: String, inputs: String, backend: any Backend) throws -> ParityOutputs {
        let c = try ParityRegistry.component(component)
        let dir = try ModelDirectory(path: model)
        let ins = try ParityInputs(path: inputs)
        return try c.run(ParityContext(model: dir, inputs: ins, backend: backend))
    }

    /// Runs `component` and writes exactly its output tensors to `output`, atomically: on any
    /// failure no output file is created or replaced.
    public static func run(component: String, model: String, inputs: String, output: String, backend: any Backend) throws {
        let outputs = try compute(component: component, model: model, inputs: inputs, backend: backend)
        try outputs.writer.write(to: output)
    }
}
