import ArgumentParser

/// `i2v bench …`: performance measurements (results go in docs/PERFORMANCE.md; never gate CI).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of the CPU backend and the model.",
        subcommands: [
            BenchOpsCommand.self,
            BenchUNetCommand.self,
            BenchVAECommand.self,
        ]
    )
}
