import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Jobs
import Logging
import XCTest
@testable import Server

/// A small HTTP server standing in for the outside world: an image host (with redirects) and a
/// webhook receiver.
final class RemoteSite: @unchecked Sendable {
    struct Delivery {
        var headers: HTTPFields
        var body: [UInt8]
    }

    private let lock = NSLock()
    private var received: [Delivery] = []
    private var failuresLeft: Int

    init(failFirstWebhooks: Int = 0) { failuresLeft = failFirstWebhooks }

    var deliveries: [Delivery] { lock.withLock { received } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("image.png") { _, _ in Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: Fixtures.png))) }
        router.get("big.png") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: Fixtures.png + Array(repeating: 0, count: 300_000)))) }
        router.get("missing.png") { _, _ in Response(status: .notFound) }
        router.get("to-private") { _, _ in Response(status: .found, headers: [.location: "http://10.0.0.1/image.png"]) }
        router.get("to-metadata") { _, _ in Response(status: .movedPermanently, headers: [.location: "http://169.254.169.254/latest/meta-data/"]) }
        router.get("relative") { _, _ in Response(status: .found, headers: [.location: "/image.png"]) }
        router.get("loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        router.post("hook") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let fail = self.lock.withLock { () -> Bool in
                self.received.append(Delivery(headers: request.headers, body: Array(body.readableBytesView)))
                if self.failuresLeft > 0 {
                    self.failuresLeft -= 1
                    return true
                }
                return false
            }
            return Response(status: fail ? .internalServerError : .noContent)
        }
        var logger = Logger(label: "remote")
        logger.logLevel = .critical
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }
}

final class LiveTests: XCTestCase {
    func testImageFetchFollowsCheckedRedirectsWithinLimits() async throws {
        try await RemoteSite().application().test(.live) { remote in
            let port = try XCTUnwrap(remote.port)
            var client = SafeHTTPClient(allowPrivateNetworks: false, timeout: 5)
            client.allowedAddresses = ["127.0.0.1"]
            let image = try await client.fetchImage("http://127.0.0.1:\(port)/image.png", maxBytes: 100_000)
            XCTAssertEqual(image, Fixtures.png)
            let viaRedirect = try await client.fetchImage("http://127.0.0.1:\(port)/relative", maxBytes: 100_000)
            XCTAssertEqual(viaRedirect, Fixtures.png)
            for path in ["to-private", "to-metadata"] {
                do {
                    _ = try await client.fetchImage("http://127.0.0.1:\(port)/\(path)", maxBytes: 100_000)
                    XCTFail("\(path) must be refused")
                } catch let failure as SafeHTTPClient.Failure {
                    guard case .refused(let why) = failure else { return XCTFail("\(path): \(failure)") }
                    XCTAssertTrue(why.contains("10.0.0.1") || why.contains("169.254.169.254"), why)
                }
            }
            await XCTAssertThrowsErrorAsync(try await client.fetchImage("http://127.0.0.1:\(port)/big.png", maxBytes: 100_000))
            await XCTAssertThrowsErrorAsync(try await client.fetchImage("http://127.0.0.1:\(port)/missing.png", maxBytes: 100_000))
            await XCTAssertThrowsErrorAsync(try await client.fetchImage("http://127.0.0.1:\(port)/loop", maxBytes: 100_000))
            let strict = SafeHTTPClient(allowPrivateNetworks: false, timeout: 5)
            await XCTAssertThrowsErrorAsync(try await strict.fetchImage("http://127.0.0.1:\(port)/image.png", maxBytes: 100_000))
        }
    }

    func testJobFromImageURLAndSignedWebhookWithRetries() async throws {
        let site = RemoteSite(failFirstWebhooks: 1)
        try await site.application().test(.live) { remote in
            let port = try XCTUnwrap(remote.port)
            let server = try TestServer {
                $0.allowPrivateNetworks = true
                $0.webhookRetryBaseSeconds = 0
            }
            let (app, _) = try server.build()
            try await app.test(.live) { client in
                let body = #"{"title":"Linen shirt","image_url":"http://127.0.0.1:\#(port)/image.png","webhook":"http://127.0.0.1:\#(port)/hook"}"#
                let (response, job) = try await client.json("/api/v1/jobs", method: .post, body: body)
                XCTAssertEqual(response.status, .accepted, "\(job)")
                let id = try XCTUnwrap(job["id"]?.stringValue)
                _ = try await client.waitForStatus(id, "succeeded")
                try await eventually("the webhook to be delivered") { site.deliveries.count >= 2 }
                let deliveries = site.deliveries
                XCTAssertEqual(deliveries.count, 2, "one failure, then one success")
                let last = try XCTUnwrap(deliveries.last)
                XCTAssertEqual(last.headers[HTTPField.Name("X-I2V-Event")!], "job.succeeded")
                XCTAssertEqual(deliveries[0].headers[HTTPField.Name("X-I2V-Delivery")!], last.headers[HTTPField.Name("X-I2V-Delivery")!])
                let signature = try XCTUnwrap(last.headers[HTTPField.Name(WebhookSigner.header)!])
                XCTAssertTrue(WebhookSigner(secret: "test-secret").verify(header: signature, body: last.body, now: Int(Date().timeIntervalSince1970)))
                let payload = try XCTUnwrap(JSONValue.parse(Data(last.body)))
                XCTAssertEqual(payload["job"]?["id"]?.stringValue, id)
                XCTAssertEqual(payload["job"]?["status"]?.stringValue, "succeeded")
                // The receiver sees the delivery before the sender records it as delivered.
                try await eventually("the delivered webhook to leave the queue") {
                    try await server.store.stats().pendingWebhooks == 0
                }
            }
        }
    }

    func testUploadEventsDownloadOverRealSockets() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.live) { client in
            let response = try await client.submit(.job(fields: ["title": "Desk lamp"]))
            XCTAssertEqual(response.status, .accepted)
            let id = try XCTUnwrap(response.jsonBody["id"]?.stringValue)
            let events = try await client.execute(uri: "/api/v1/jobs/\(id)/events", method: .get)
            let names = FilesAndEventsTests.parseSSE(events.text).map(\.name)
            XCTAssertEqual(names.last, "succeeded", events.text)
            let video = try await client.execute(uri: "/api/v1/jobs/\(id)/files/video.mp4", method: .get, headers: [.range: "bytes=0-8"])
            XCTAssertEqual(video.status, .partialContent)
            XCTAssertEqual(video.text, "fake-mp4:")
        }
    }

    func testFiftySimultaneousSubmissionsAndFiveHundredPolls() async throws {
        let server = try TestServer { $0.workers = 0 }
        let (app, _) = try server.build()
        try await app.test(.live) { client in
            let ids = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for i in 0..<50 {
                    group.addTask {
                        let response = try await client.submit(.job(fields: ["title": "Product \(i)"]))
                        return (response.status, response.jsonBody["id"]?.stringValue)
                    }
                }
                return try await group.reduce(into: [(HTTPResponse.Status, String?)]()) { $0.append($1) }
            }
            XCTAssertEqual(ids.filter { $0.0 == .accepted }.count, 50)
            let unique = Set(ids.compactMap(\.1))
            XCTAssertEqual(unique.count, 50)
            let list = Array(unique)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<500 {
                    let id = list[i % list.count]
                    group.addTask { try await client.execute(uri: "/api/v1/jobs/\(id)", method: .get).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            XCTAssertEqual(statuses.count, 500)
            XCTAssertTrue(statuses.allSatisfy { $0 == .ok }, "\(Set(statuses.map(\.code)))")
            let stats = try await server.store.stats()
            XCTAssertEqual(stats.counts[.queued], 50)
        }
    }

    func testGracefulShutdownReleasesTheRunningJobAndRestartFinishesIt() async throws {
        let pipeline = ScriptedPipeline(gated: true)
        let server = try TestServer(pipeline: pipeline)
        let (app, _) = try server.build()
        var jobID = ""
        try await app.test(.router) { client in
            jobID = try await client.submit(.job()).jobID()
            _ = try await client.waitForStatus(jobID, "running")
        }
        // The test framework shut the server down gracefully: the job went back to the queue.
        let released = try await server.store.job(id: jobID)
        XCTAssertEqual(released?.state, .queued)
        XCTAssertEqual(released?.attempt, 1)
        pipeline.openGate()
        let (again, _) = try server.build()
        try await again.test(.router) { client in
            let done = try await client.waitForStatus(jobID, "succeeded")
            XCTAssertEqual(done["attempt"]?.doubleValue, 2)
        }
    }

    func testRestartAfterACrashRunsTheOrphanedJobExactlyOnce() async throws {
        let server = try TestServer()
        // A previous process claimed the job and died without releasing it.
        let image = try InputStore(layout: StorageLayout(data: server.config.dataURL, outputs: server.config.outputsURL))
            .store(Fixtures.png, info: try ImageSniffer.inspect(Fixtures.png))
        let payload = try GenerationRequest(title: "Orphan").canonicalJSON()
        let job = try await server.store.enqueue(NewJob(title: "Orphan", payload: payload, inputRef: image.ref)).job
        let claimed = try await server.store.claimNext(owner: "dead-process", leaseDuration: 3600)
        let dead = try XCTUnwrap(claimed)
        let partial = server.config.dataURL.appendingPathComponent("jobs/\(job.id)/attempt-1.partial")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        server.recoverOnStart = true
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let done = try await client.waitForStatus(job.id, "succeeded")
            XCTAssertEqual(done["attempt"]?.doubleValue, 2)
        }
        XCTAssertEqual(server.pipeline.attempts.map(\.attempt), [2], "ran once, as attempt 2")
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path), "the dead attempt's files are gone")
        await XCTAssertThrowsErrorAsync(try await server.store.complete(dead, result: "{}"))
        let outputs = try FileManager.default.contentsOfDirectory(atPath: server.config.outputsURL.path).filter { $0.contains(job.id) }
        XCTAssertEqual(outputs.count, 1)
    }
}

func XCTAssertThrowsErrorAsync<T>(_ expression: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async {
    do {
        _ = try await expression()
        XCTFail("expected an error", file: file, line: line)
    } catch {}
}
