import ArgumentParser
import I2VGenXL

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the i2v version.")

    func run() throws {
        print("i2v 0.1.0 (I2VGen-XL reference: diffusers \(I2VGenXLModel.referenceDiffusersVersion))")
    }
}
