import ArgumentParser
import Foundation
import I2VGenXL

/// `i2v models verify <dir>`: checks every weight file of the pipeline folder against the keys
/// and shapes its config implies (built by the same model-construction code as loading), and
/// lists missing, extra and mis-shaped tensors. Exits non-zero when any file fails.
struct ModelsVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every weight file of a pipeline folder against the expected keys and shapes.")

    @Argument(help: "Diffusers-layout pipeline folder.")
    var directory: String

    func run() throws {
        let reports: [WeightFileReport]
        do {
            reports = try ModelVerifier.verify(directory)
        } catch {
            FileHandle.standardError.write(Data("i2v models verify: \(error)\n".utf8))
            throw ExitCode.failure
        }
        var failed = false
        for r in reports {
            let status = r.ok ? "ok" : "FAILED"
            print("\(r.component): \(r.file): \(status) (\(r.expectedCount) expected, \(r.storedCount) stored)")
            for (label, keys) in [("missing", r.missing), ("mis-shaped", r.misshaped), ("extra", r.extra), ("not float", r.badDType)] {
                for k in keys { print("  \(label): \(k)") }
            }
            failed = failed || !r.ok
        }
        if failed { throw ExitCode.failure }
    }
}
