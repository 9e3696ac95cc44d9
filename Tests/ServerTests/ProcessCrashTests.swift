import Foundation
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Server

/// The real `i2v serve` executable, killed with SIGKILL in the middle of a job and started again:
/// the job must finish exactly once, with its outputs committed once.
final class ProcessCrashTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var binary: URL {
        get throws {
            let candidates = [".build/debug/i2v", ".build/release/i2v"].map { Self.repository.appendingPathComponent($0) }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw XCTSkip("the i2v executable is not built (swift build --product i2v)")
            }
            return found
        }
    }

    final class ServerProcess {
        let process = Process()
        let port: Int

        init(binary: URL, root: URL, port: Int) throws {
            self.port = port
            process.executableURL = binary
            process.arguments = ["serve"]
            process.currentDirectoryURL = ProcessCrashTests.repository
            var environment = ProcessInfo.processInfo.environment
            environment["I2V_HOST"] = "127.0.0.1"
            environment["I2V_PORT"] = String(port)
            environment["I2V_DATA_DIR"] = root.appendingPathComponent("data").path
            environment["I2V_OUTPUTS_DIR"] = root.appendingPathComponent("outputs").path
            environment["I2V_MODEL_DIR"] = root.appendingPathComponent("no-model").path
            environment["I2V_LOG_LEVEL"] = "error"
            process.environment = environment
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
        }

        func kill9() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func request(_ port: Int, _ path: String, method: String = "GET", body: Data? = nil, contentType: String? = nil) async throws -> (Int, JSONValue) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, JSONValue.parse(data) ?? .null)
    }

    func waitUntilHealthy(_ server: ServerProcess) async throws {
        try await eventually(timeout: 60, "the server to start") {
            guard server.process.isRunning else { throw XCTSkip("the server exited at start-up") }
            return (try? await self.request(server.port, "/healthz"))?.0 == 200
        }
    }

    func testKillNineMidJobThenRestartCompletesTheJobExactlyOnce() async throws {
        let binary = try self.binary
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let port = Self.freePort()
        let first = try ServerProcess(binary: binary, root: root, port: port)
        defer { first.stop() }
        try await waitUntilHealthy(first)

        // A long job for the template engine: 1024 px, every output format (GIF is slow).
        var form = MultipartBody.job(
            image: Array(try Data(contentsOf: Fixtures.folder.appendingPathComponent("mug.jpg"))), filename: "mug.jpg", type: "image/jpeg",
            fields: ["title": "Crash test mug", "resolution": "1024", "engine": "template", "outputs": "mp4,webp,gif,poster"])
        form.field("seed", "1234")
        let (status, job) = try await request(port, "/api/v1/jobs", method: "POST", body: Data(form.finished.readableBytesView), contentType: form.contentType)
        XCTAssertEqual(status, 202, "\(job)")
        let id = try XCTUnwrap(job["id"]?.stringValue)
        try await eventually(timeout: 60, "the job to start running") {
            (try await self.request(port, "/api/v1/jobs/\(id)")).1["status"]?.stringValue == "running"
        }
        first.kill9()

        let second = try ServerProcess(binary: binary, root: root, port: port)
        defer { second.stop() }
        try await waitUntilHealthy(second)
        try await eventually(timeout: 300, "the job to finish after the restart") {
            let state = (try await self.request(port, "/api/v1/jobs/\(id)")).1["status"]?.stringValue
            return state == "succeeded" || state == "failed"
        }
        let (_, done) = try await request(port, "/api/v1/jobs/\(id)")
        XCTAssertEqual(done["status"]?.stringValue, "succeeded", "\(done)")
        XCTAssertEqual(done["attempt"]?.doubleValue, 2, "the killed attempt was 1; the job ran again once, as attempt 2")

        let attempts = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("data/jobs/\(id)").path).sorted()
        XCTAssertEqual(attempts, ["attempt-2"], "the killed attempt left nothing behind")
        let published = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("outputs").path).filter { $0.contains(id) }
        XCTAssertEqual(published.count, 1, "published once")

        let video = root.appendingPathComponent("data/jobs/\(id)/attempt-2/video.mp4")
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        probe.arguments = ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt,nb_frames", "-of", "csv=p=0", video.path]
        let pipe = Pipe()
        probe.standardOutput = pipe
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/ffprobe") {
            try probe.run()
            probe.waitUntilExit()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertTrue(output.hasPrefix("h264,yuv420p"), output)
        }
    }
}
