import ArgumentParser
import Foundation
import ModelIO

/// `i2v models …`: look at a diffusers model folder without running it.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Inspect and verify diffusers model folders.",
        subcommands: [
            ModelsInspectCommand.self,
        ]
    )
}

/// `i2v models inspect <dir>`: each component's class, weight files, dtypes, parameters, bytes.
struct ModelsInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print each component's class, weight files, dtype, parameter count and size."
    )

    @Argument(help: "A diffusers pipeline folder (model_index.json, unet/, vae/, ...).")
    var dir: String

    func run() throws {
        do {
            print(try ModelInspector.inspect(dir).formatted())
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
