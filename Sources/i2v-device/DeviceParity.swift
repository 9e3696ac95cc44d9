import ArgumentParser
import Foundation
import I2VGenXL
import TensorCUDA

/// `i2v-device parity <component>`: the `i2v parity` contract (PARITY.md) computed on the GPU, so
/// `scripts/device/parity_gpu.py` can compare the CUDA backend with diffusers on the same card.
struct DeviceParity: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parity", abstract: "Run one PARITY.md component on the GPU.")

    @Argument(help: "Component: \(ParityRegistry.all.map(\.name).joined(separator: ", ")).") var component: String
    @Option(help: "diffusers-layout model folder.") var model: String
    @Option(help: "Inputs file (safetensors).") var inputs: String
    @Option(help: "Outputs file to write (safetensors).") var output: String
    @Option(help: "CUDA device index.") var device = 0
    @Option(help: "Storage precision (float32, float16, bfloat16).") var precision = "float16"

    func run() throws {
        guard let prec = CUDAPrecision(rawValue: precision) else { throw ValidationError("unknown precision \(precision)") }
        let cuda = try CUDABackend(device: device, precision: prec)
        try Parity.run(component: component, model: model, inputs: inputs, output: output, backend: cuda)
    }
}
