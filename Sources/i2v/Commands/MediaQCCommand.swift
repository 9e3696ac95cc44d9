import ArgumentParser
import Foundation
import Quality

/// `i2v media qc`: quality checks of a finished clip against its prepared input image.
/// Exit status: 0 passed, 1 failed QC, 2 could not run (unreadable file, bad thresholds).
struct MediaQCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qc",
        abstract: "Check a video for blur, shake, flicker, infidelity, blank/frozen frames and missing motion.",
        discussion: """
        Prints one line per check and exits 1 when any check fails. Thresholds: a JSON object \
        overriding any of the defaults (see docs/QC.md), e.g. {"fidelityMinSSIM": 0.7}.
        """
    )

    @Option(help: "The video to check (MP4, WebP, GIF, anything the Media decoders read).")
    var video: String

    @Option(help: "The prepared input image the video was generated from.")
    var input: String

    @Option(help: "JSON file of thresholds overriding the defaults.")
    var thresholds: String?

    @Option(help: "Write the full JSON report here.")
    var out: String?

    @Flag(help: "Print the full JSON report instead of the summary.")
    var json = false

    @Option(help: "Decode at most this many frames.")
    var maxFrames = 1000

    func run() throws {
        let report: QCReport
        do {
            report = try VideoQCFiles.check(
                video: URL(fileURLWithPath: video), input: URL(fileURLWithPath: input),
                thresholds: thresholds.map { URL(fileURLWithPath: $0) }, maxFrames: maxFrames)
            if let out { try VideoQCFiles.write(report, to: URL(fileURLWithPath: out)) }
        } catch {
            FileHandle.standardError.write(Data("i2v media qc: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if json, let data = try? report.jsonData(), let text = String(data: data, encoding: .utf8) {
            print(text)
        } else {
            print(report.summary)
        }
        if !report.passed { throw ExitCode(1) }
    }
}
