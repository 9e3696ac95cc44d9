import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import XCTest
@testable import Server

/// The server with the real engine side: Motion's planner and template renderer, Media's
/// encoders and Quality's checks, driven over real sockets.
final class RealPipelineTests: XCTestCase {
    func realServer(_ configure: (inout ServerConfig) -> Void = { _ in }) throws -> TestServer {
        let server = try TestServer(configure: configure)
        server.config.modelDir = server.root.appendingPathComponent("no-model").path
        server.engines = try EngineSetup.make(server.config, logger: Logger(label: "test"))
        return server
    }

    func ffprobe(_ file: URL) throws -> String {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        guard FileManager.default.isExecutableFile(atPath: probe.executableURL!.path) else { throw XCTSkip("ffprobe is not installed") }
        probe.arguments = ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt,width,height", "-of", "csv=p=0", file.path]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        probe.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testUploadFollowEventsDownloadAPlayableH264Video() async throws {
        let server = try realServer()
        let (app, _) = try server.build()
        try await app.test(.live) { client in
            let photo = Fixtures.bytes("mug.jpg")
            let response = try await client.submit(.job(image: photo, filename: "mug.jpg", type: "image/jpeg", fields: [
                "title": "北欧陶瓷马克杯 350ml", "outputs": "mp4,webp,poster", "seed": "7",
            ]))
            XCTAssertEqual(response.status, .accepted, response.text)
            let id = try response.jobID()
            let events = try await client.execute(uri: "/api/v1/jobs/\(id)/events", method: .get)
            let parsed = FilesAndEventsTests.parseSSE(events.text)
            XCTAssertEqual(parsed.last?.name, "succeeded", events.text)
            let stages = Set(parsed.filter { $0.name == "progress" }.compactMap { $0.data["stage"]?.stringValue })
            XCTAssertTrue(stages.isSuperset(of: ["generating", "encoding", "qc"]) || parsed.first?.name == "succeeded", "\(stages)")
            let job = try await client.waitForStatus(id, "succeeded")
            XCTAssertEqual(job["engine"]?.stringValue, "template")
            XCTAssertEqual(job["qc"]?["passed"]?.boolValue, true)
            XCTAssertNotNil(job["plan"]?["frames"]?.doubleValue)
            XCTAssertEqual(job["plan"]?["seed"]?.doubleValue, 7)
            XCTAssertNotNil(job["plan"]?["template"]?.stringValue)

            let video = try await client.execute(uri: "/api/v1/jobs/\(id)/files/video.mp4", method: .get)
            XCTAssertEqual(video.status, .ok)
            let file = server.root.appendingPathComponent("download.mp4")
            try Data(video.body.readableBytesView).write(to: file)
            let probe = try self.ffprobe(file)
            XCTAssertTrue(probe.hasPrefix("h264,"), probe)
            XCTAssertTrue(probe.contains("yuv420p"), probe)
            let webp = try await client.execute(uri: "/api/v1/jobs/\(id)/files/video.webp", method: .head)
            XCTAssertEqual(webp.status, .ok)
            let poster = try await client.execute(uri: "/api/v1/jobs/\(id)/files/poster.jpg", method: .get)
            XCTAssertEqual(try ImageSniffer.inspect(Array(poster.body.readableBytesView)).format, .jpeg)
        }
    }

    func testRealPlannerValidatesTemplatesAndPlansFromTheTitle() async throws {
        let server = try realServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (_, list) = try await client.json("/api/v1/templates")
            guard case .array(let templates)? = list["templates"], let first = templates.first?["id"]?.stringValue else {
                return XCTFail("no templates")
            }
            let (_, plan) = try await client.json("/api/v1/plan", method: .post, body: #"{"title":"男款透气跑步鞋","template":"\#(first)"}"#)
            XCTAssertEqual(plan["plan"]?["template"]?.stringValue, first)
            let (_, shoe) = try await client.json("/api/v1/plan", method: .post, body: #"{"title":"Men's breathable running shoes"}"#)
            XCTAssertNotNil(shoe["plan"]?["category"]?.stringValue)
            XCTAssertNotNil(shoe["plan"]?["prompt"]?.stringValue)
            let (bad, problem) = try await client.json("/api/v1/plan", method: .post, body: #"{"title":"x","template":"no.such-template"}"#)
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(problem["field"]?.stringValue, "template")
        }
    }

    func testAskingForI2VGenXLWithoutWeightsFailsOnceAsEngineUnavailable() async throws {
        let server = try realServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (_, health) = try await client.json("/healthz")
            XCTAssertEqual(health["status"]?.stringValue, "degraded")
            XCTAssertTrue(health["reason"]?.stringValue?.contains("no weights") ?? false, "\(health)")
            let id = try await client.submit(.job(image: Fixtures.bytes("mug.jpg"), filename: "mug.jpg", type: "image/jpeg",
                                                  fields: ["title": "Mug", "engine": "i2vgen-xl", "frames": "8"])).jobID()
            let failed = try await client.waitForStatus(id, "failed")
            XCTAssertEqual(failed["error"]?["code"]?.stringValue, "engine_unavailable")
            XCTAssertEqual(failed["attempt"]?.doubleValue, 1)
        }
    }

    func testCorruptUploadsAreCaughtByTheFullDecode() async throws {
        let server = try realServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            // Valid headers, half the compressed data missing: only a real decode notices.
            let photo = Array(Fixtures.bytes("mug.jpg").prefix(30_000))
            let response = try await client.submit(.job(image: photo, filename: "mug.jpg", type: "image/jpeg"))
            XCTAssertEqual(response.status, .unprocessableContent, response.text)
            XCTAssertEqual(response.jsonBody["code"]?.stringValue, "corrupt_image")
        }
    }

    func testOfflineBatchRunsACSVAndSkipsFinishedRowsWhenRunAgain() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-offline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(Fixtures.bytes("mug.jpg")).write(to: folder.appendingPathComponent("mug.jpg"))
        try Data("image,title,seed\nmug.jpg,Espresso cup,5\nnot-there.jpg,Ghost,1\n".utf8).write(to: folder.appendingPathComponent("products.csv"))
        var config = ServerConfig()
        config.modelDir = folder.appendingPathComponent("no-model").path
        let engines = try EngineSetup.make(config, logger: Logger(label: "test"))
        let batch = OfflineBatch(csv: folder.appendingPathComponent("products.csv"), outputs: folder.appendingPathComponent("out"))
        let seen = Locked<[OfflineBatch.Progress]>([])
        let first = try await batch.run(pipeline: engines.pipeline, planner: engines.planner, verifyImage: engines.verifyImage,
                                        logger: Logger(label: "test")) { progress in seen.withLock { $0.append(progress) } }
        XCTAssertEqual(first.map(\.status), ["succeeded", "rejected"])
        XCTAssertEqual(first.map(\.line), [2, 3])
        XCTAssertTrue(first[1].error?.contains("not-there.jpg") ?? false)
        let output = try XCTUnwrap(first[0].output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output))
        XCTAssertEqual(seen.current.last?.finished, 1)
        let second = try await batch.run(pipeline: engines.pipeline, planner: engines.planner, verifyImage: engines.verifyImage,
                                         logger: Logger(label: "test")) { _ in }
        XCTAssertEqual(second.map(\.skipped), [true, false], "the finished row is skipped")
        XCTAssertEqual(second[0].jobID, first[0].jobID)
    }
}
