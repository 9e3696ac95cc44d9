import ArgumentParser
import Foundation
import Logging
import Server

/// `i2v batch`: a CSV of products to videos, without a server. Resumable: finished rows are
/// skipped when the same command runs again.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Turn a CSV of products into videos (resumable).",
        discussion: """
            The CSV has a header row with `image` (a file path, relative to the CSV) or `image_url`, `title`, and any \
            job field as a column (template, frames, fps, steps, guidance, seed, aspect, resolution, outputs, …). \
            Videos are published to --out as <date>_<job>_<title>/; state is kept in <out>/.i2v-batch/.
            """)

    @Option(help: "CSV of products.") var input: String
    @Option(help: "Output folder (default outputs).") var out: String = "outputs"
    @Option(help: "Engine slots (default 1).") var workers: Int = 1
    @Option(name: .customLong("model-dir"), help: "I2VGen-XL diffusers folder.") var modelDir: String = "Models/i2vgen-xl"
    @Option(name: .customLong("max-attempts"), help: "Attempts per row for retryable failures.") var maxAttempts: Int = 3

    func run() async throws {
        var logger = Logger(label: "i2v-batch")
        logger.logLevel = .error
        var settings = ServerConfig()
        settings.modelDir = modelDir
        settings.workers = workers
        let engines = try EngineSetup.make(settings, logger: logger)
        let batch = OfflineBatch(csv: URL(fileURLWithPath: input), outputs: URL(fileURLWithPath: out), workers: workers, maxAttempts: maxAttempts)
        let bar = BatchProgressBar()
        let rows: [OfflineBatch.Row]
        do {
            rows = try await batch.run(pipeline: engines.pipeline, planner: engines.planner, verifyImage: engines.verifyImage, logger: logger) {
                bar.draw($0)
            }
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        } catch let error as DataDirectoryLock.Held {
            throw ValidationError(error.description)
        }
        bar.finish()
        print(SummaryTable.render(rows))
        if rows.contains(where: { $0.status != "succeeded" }) { throw ExitCode(1) }
    }
}

/// A one-line progress bar on standard error.
final class BatchProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let interactive = isatty(STDERR_FILENO) == 1
    private var lastLine = ""

    func draw(_ progress: OfflineBatch.Progress) {
        let width = 30
        let filled = Int((progress.fraction * Double(width)).rounded())
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let current = progress.running.first.map { "  ▶ \($0.prefix(40))" } ?? ""
        let line = "\(bar) \(progress.finished)/\(progress.total) \(Int(progress.fraction * 100))%\(current)"
        lock.withLock {
            guard line != lastLine else { return }
            lastLine = line
            FileHandle.standardError.write(Data(((interactive ? "\r\u{1B}[K" : "") + line + (interactive ? "" : "\n")).utf8))
        }
    }

    func finish() { if interactive { FileHandle.standardError.write(Data("\n".utf8)) } }
}

enum SummaryTable {
    static func render(_ rows: [OfflineBatch.Row]) -> String {
        let header = ["line", "title", "status", "seconds", "output / error"]
        let body = rows.map { row -> [String] in
            [String(row.line), String(row.title.prefix(32)), row.skipped ? "skipped (done)" : row.status,
             row.seconds.map { String(format: "%.1f", $0) } ?? "",
             row.error ?? row.output.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        let done = rows.filter { $0.status == "succeeded" }.count
        let skipped = rows.filter(\.skipped).count
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + body.map(line)
            + ["", "\(done)/\(rows.count) succeeded (\(skipped) already done before this run), \(rows.count - done) not"]).joined(separator: "\n")
    }
}
