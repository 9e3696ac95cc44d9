import Foundation
import XCTest

/// `./start_app.sh` with `I2V_BINARY` serves with that prebuilt binary — no install, no build —
/// from the repository root, passing its arguments after `serve`; a path that is not an
/// executable file stops it at once with a message naming the variable.
final class StartAppScriptTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-start-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Runs start_app.sh from `scratch` (not the repository root) with `binary` as I2V_BINARY.
    func startApp(binary: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.root.appendingPathComponent("start_app.sh").path] + arguments
        process.currentDirectoryURL = scratch
        process.environment = ProcessInfo.processInfo.environment.merging(["I2V_BINARY": binary]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile(), errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func testPrebuiltBinaryServesFromTheRepositoryRootWithTheArguments() throws {
        // A stand-in for the i2v binary that reports how it was started, given by a relative path.
        let fake = scratch.appendingPathComponent("fake-i2v")
        try "#!/bin/bash\necho \"cwd=$(pwd)\"\necho \"args=$*\"\n".write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)

        let run = try startApp(binary: "./fake-i2v", ["--port", "7861", "--device", "cuda:0"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertTrue(run.out.contains("args=serve --port 7861 --device cuda:0"), run.out)
        let cwd = run.out.split(separator: "\n").first { $0.hasPrefix("cwd=") }.map { String($0.dropFirst(4)) }
        XCTAssertEqual(cwd.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path },
                       Self.root.resolvingSymlinksInPath().path, run.out)
        XCTAssertFalse(run.out.contains("== ") || run.err.contains("apt-get"), "installed or built: \(run.out)\(run.err)")
    }

    func testAPathThatIsNotAnExecutableStopsWithTheReason() throws {
        let plain = scratch.appendingPathComponent("not-executable")
        try "just text".write(to: plain, atomically: true, encoding: .utf8)
        for binary in [plain.path, scratch.appendingPathComponent("missing").path, scratch.path] {
            let run = try startApp(binary: binary, [])
            XCTAssertEqual(run.status, 1, binary)
            XCTAssertTrue(run.err.contains("I2V_BINARY=\(binary) is not an executable file"), run.err)
        }
    }
}
