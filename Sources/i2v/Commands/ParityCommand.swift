import ArgumentParser
import Foundation
import I2VGenXL
import Tensor

/// `i2v parity <component> --model <dir> --inputs <in.safetensors> --output <out.safetensors>`:
/// the parity contract of the shared PARITY.md. Exits 0 having written exactly the component's
/// output tensors, or non-zero with one line naming the problem (no output file is written).
struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Run one model component on a safetensors input file and write its outputs (PARITY.md).",
        discussion: ParityRegistry.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))

    @Argument(help: "Component: \(ParityRegistry.names.joined(separator: ", ")).")
    var component: String

    @Option(help: "Diffusers-layout pipeline folder (model_index.json, unet/, vae/, ...).")
    var model: String

    @Option(help: "Input safetensors file.")
    var inputs: String

    @Option(help: "Output safetensors file (written atomically).")
    var output: String

    func run() throws {
        do {
            try Parity.run(component: component, model: model, inputs: inputs, output: output, backend: CPUBackend())
        } catch {
            FileHandle.standardError.write(Data("i2v parity \(component): \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
