import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Jobs
import Logging
import XCTest
@testable import Server

enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func bytes(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()) }
    static var png: [UInt8] { bytes("product.png") }
    static var jpeg: [UInt8] { bytes("product.jpg") }
    /// The repository's web UI folder (also holds openapi.yaml).
    static let publicFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Public")
}

/// A template library of two templates, enough to exercise validation and planning.
struct FakePlanner: PlanningService {
    func templates() -> [JSONValue] {
        [
            .object(["id": .string("push-in"), "name": .string("Push in"), "categories": .array([.string("generic")])]),
            .object(["id": .string("orbit"), "name": .string("Orbit"), "categories": .array([.string("shoes")])]),
        ]
    }

    func validate(_ request: GenerationRequest) throws {
        if let template = request.template, !["push-in", "orbit"].contains(template) {
            throw InvalidRequest(field: "template", message: "Unknown template '\(template)'.")
        }
        if let category = request.category, !["generic", "shoes"].contains(category) {
            throw InvalidRequest(field: "category", message: "Unknown category '\(category)'.")
        }
    }

    func plan(_ request: GenerationRequest, imagePath: URL?) throws -> JSONValue {
        let category = request.category ?? (request.title.lowercased().contains("shoe") ? "shoes" : "generic")
        return .object([
            "category": .string(category),
            "template": .string(request.template ?? (category == "shoes" ? "orbit" : "push-in")),
            "prompt": .string("\(request.title), studio product shot"),
            "has_image": .bool(imagePath != nil),
        ])
    }
}

/// A pipeline whose behaviour each test scripts: how many steps, whether to wait at a gate
/// (to observe a running job), and which attempts fail and how.
final class ScriptedPipeline: JobPipeline, @unchecked Sendable {
    struct Seen: Equatable {
        var jobID: String
        var attempt: Int
        var previousFailure: String?
    }

    let steps: Int
    private let lock = NSCondition()
    private var gateOpen: Bool
    private var failures: [Int: PipelineError]
    private var seen: [Seen] = []
    private var statuses: [EngineStatus]

    init(steps: Int = 4, gated: Bool = false, failures: [Int: PipelineError] = [:],
         engines: [EngineStatus] = [EngineStatus(name: "template", state: .ready, detail: "procedural renderer")]) {
        self.steps = steps
        self.gateOpen = !gated
        self.failures = failures
        self.statuses = engines
    }

    var engines: [EngineStatus] { lock.withLock { statuses } }
    func setEngines(_ engines: [EngineStatus]) { lock.withLock { statuses = engines } }
    func prepare() async {}

    func openGate() {
        lock.lock()
        gateOpen = true
        lock.broadcast()
        lock.unlock()
    }

    var attempts: [Seen] { lock.withLock { seen } }

    func run(_ input: AttemptInput, directory: URL, control: AttemptControl) throws -> AttemptOutput {
        lock.lock()
        seen.append(Seen(jobID: input.jobID, attempt: input.attempt, previousFailure: input.previousFailure?.code))
        let failure = failures[input.attempt]
        lock.unlock()
        control.report(PipelineProgress(stage: .planning))
        for step in 1...steps {
            // Hold at the first step until the test opens the gate (or cancels the job).
            lock.lock()
            while !gateOpen && !control.isCancelled { lock.wait(until: Date().addingTimeInterval(0.01)) }
            lock.unlock()
            if control.isCancelled { throw PipelineError.cancelled }
            control.report(PipelineProgress(stage: .generating, step: step, totalSteps: steps))
        }
        if let failure { throw failure }
        control.report(PipelineProgress(stage: .encoding))
        let video = Array("fake-mp4:\(input.jobID):\(input.attempt):".utf8) + Array(repeating: UInt8(7), count: 1000)
        try Data(video).write(to: directory.appendingPathComponent("video.mp4"))
        try Data(Fixtures.jpeg).write(to: directory.appendingPathComponent("poster.jpg"))
        return AttemptOutput(
            files: ["video.mp4", "poster.jpg"], engine: "template", seed: 42,
            plan: .object(["template": .string("push-in"), "title": .string(input.request.title)]),
            qc: .object(["passed": .bool(true), "sharpness_ratio": .number(0.93)]))
    }
}

/// A server built on temporary folders with the scripted pipeline.
final class TestServer {
    let root: URL
    var config: ServerConfig
    let store: SQLiteJobStore
    let pipeline: ScriptedPipeline
    var apiKeys: [String] = []
    var recoverOnStart = false
    /// When set, the real engine side (Motion planner, template engine, Media, Quality) replaces
    /// the scripted pipeline and the fake planner.
    var engines: EngineSetup.Engines?
    private(set) var services: AppServices?

    init(pipeline: ScriptedPipeline = ScriptedPipeline(), configure: (inout ServerConfig) -> Void = { _ in }) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var config = ServerConfig()
        config.host = "127.0.0.1"
        config.port = 0
        config.dataDir = root.appendingPathComponent("data").path
        config.outputsDir = root.appendingPathComponent("outputs").path
        config.publicDir = Fixtures.publicFolder.path
        config.heartbeatSeconds = 0.2
        config.leaseSeconds = 5
        config.retryBaseSeconds = 0
        config.retryMaxSeconds = 0
        configure(&config)
        self.config = config
        try FileManager.default.createDirectory(at: config.dataURL, withIntermediateDirectories: true)
        store = try SQLiteJobStore(path: config.dataURL.appendingPathComponent("jobs.sqlite").path)
        self.pipeline = pipeline
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func build() throws -> (some ApplicationProtocol, AppServices) {
        var logger = Logger(label: "i2v-test")
        logger.logLevel = .critical
        let built = try buildApplication(
            config,
            dependencies: AppDependencies(
                store: store, pipeline: engines?.pipeline ?? pipeline, planner: engines?.planner ?? FakePlanner(),
                verifyImage: engines?.verifyImage, apiKeys: apiKeys, webhookSecret: "test-secret",
                recoverLeasesOnStart: recoverOnStart),
            logger: logger)
        services = built.1
        return built
    }
}

/// multipart/form-data bodies for the tests.
struct MultipartBody {
    let boundary = "----i2v-test-\(UUID().uuidString)"
    var bytes: [UInt8] = []

    mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String, filename: String, type: String, _ data: [UInt8]) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        bytes += data + Array("\r\n".utf8)
    }

    var finished: ByteBuffer { ByteBuffer(bytes: bytes + Array("--\(boundary)--\r\n".utf8)) }
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    static func job(image: [UInt8] = Fixtures.png, filename: String = "photo.png", type: String = "image/png", fields: [String: String] = ["title": "Ceramic mug"]) -> MultipartBody {
        var body = MultipartBody()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { body.field(key, value) }
        body.file("image", filename: filename, type: type, image)
        return body
    }
}

extension TestClientProtocol {
    @discardableResult
    func submit(_ body: MultipartBody, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = body.contentType
        return try await execute(uri: "/api/v1/jobs", method: .post, headers: headers, body: body.finished)
    }

    func json(_ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: String? = nil) async throws -> (TestResponse, JSONValue) {
        var headers = headers
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let value = JSONValue.parse(Data(response.body.readableBytesView)) ?? .null
        return (response, value)
    }

    /// Polls the job until `condition` holds or `timeout` passes (no fixed sleeps: each poll is
    /// a request, with a short yield between).
    func waitForJob(_ id: String, headers: HTTPFields = [:], timeout: TimeInterval = 20, until condition: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let (_, job) = try await json("/api/v1/jobs/\(id)", headers: headers)
            if condition(job) { return job }
            guard Date() < deadline else {
                XCTFail("job \(id) did not reach the expected state in \(timeout) s; last: \(job)")
                return job
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    func waitForStatus(_ id: String, _ status: String, headers: HTTPFields = [:]) async throws -> JSONValue {
        try await waitForJob(id, headers: headers) { $0["status"]?.stringValue == status }
    }
}

extension TestResponse {
    /// The `id` of the job in the body, failing the test when there is none.
    func jobID(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try XCTUnwrap(jsonBody["id"]?.stringValue, "no job id in \(text)", file: file, line: line)
    }

    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }
    var jsonBody: JSONValue { JSONValue.parse(Data(body.readableBytesView)) ?? .null }
}

/// Polls a condition with a deadline (for state outside HTTP, e.g. the store).
func eventually(timeout: TimeInterval = 20, _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try await !condition() {
        guard Date() < deadline else { return XCTFail("timed out waiting for \(what)") }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
}
