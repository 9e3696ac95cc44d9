import ArgumentParser

/// The `i2v` command line: a thin layer over the engine, media and service libraries.
/// Each sub-command lives in its own file under `Commands/`.
@main
struct I2V: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "i2v",
        abstract: "Turn one product photo into a short product video.",
        subcommands: [
            VersionCommand.self,
            BenchCommand.self,
            GenerateCommand.self,
            ModelsCommand.self,
            ParityCommand.self,
            MediaCommand.self,
            PlanCommand.self,
            ServeCommand.self,
            BatchCommand.self,
        ]
    )
}
