import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import Server

/// Downloads with Range/ETag, and progress over Server-Sent Events.
final class FilesAndEventsTests: XCTestCase {
    func finishedJob(_ client: some TestClientProtocol) async throws -> (id: String, job: JSONValue) {
        let id = try await client.submit(.job()).jobID()
        return (id, try await client.waitForStatus(id, "succeeded"))
    }

    func testFilesAreServedWithTypeLengthAndStrongETag() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (id, job) = try await self.finishedJob(client)
            let response = try await client.execute(uri: "/api/v1/jobs/\(id)/files/video.mp4", method: .get)
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "video/mp4")
            XCTAssertEqual(response.headers[.acceptRanges], "bytes")
            let body = Array(response.body.readableBytesView)
            XCTAssertTrue(String(decoding: body.prefix(9), as: UTF8.self) == "fake-mp4:")
            XCTAssertEqual(response.headers[.contentLength], String(body.count))
            let sha = InputStore.sha256Hex(body)
            XCTAssertEqual(response.headers[.eTag], "\"\(sha.prefix(32))\"")
            guard case .array(let files)? = job["files"], let entry = files.first(where: { $0["name"]?.stringValue == "video.mp4" }) else {
                return XCTFail("no video entry")
            }
            XCTAssertEqual(entry["sha256"]?.stringValue, sha)
            XCTAssertEqual(entry["url"]?.stringValue, "/api/v1/jobs/\(id)/files/video.mp4")
            XCTAssertTrue(response.headers[.contentDisposition]?.hasPrefix("inline; filename=\"") ?? false)

            let poster = try await client.execute(uri: "/api/v1/jobs/\(id)/files/poster.jpg?download=1", method: .get)
            XCTAssertEqual(poster.headers[.contentType], "image/jpeg")
            XCTAssertTrue(poster.headers[.contentDisposition]?.hasPrefix("attachment;") ?? false)
            let qc = try await client.execute(uri: "/api/v1/jobs/\(id)/files/qc.json", method: .get)
            XCTAssertEqual(qc.headers[.contentType], "application/json")
            XCTAssertEqual(qc.jsonBody["passed"]?.boolValue, true)
        }
    }

    func testConditionalAndRangeRequests() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (id, _) = try await self.finishedJob(client)
            let uri = "/api/v1/jobs/\(id)/files/video.mp4"
            let full = try await client.execute(uri: uri, method: .get)
            let bytes = Array(full.body.readableBytesView)
            let etag = try XCTUnwrap(full.headers[.eTag])

            let notModified = try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: etag])
            XCTAssertEqual(notModified.status, .notModified)

            let first = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=0-8"])
            XCTAssertEqual(first.status, .partialContent)
            XCTAssertEqual(first.headers[.contentRange], "bytes 0-8/\(bytes.count)")
            XCTAssertEqual(Array(first.body.readableBytesView), Array(bytes[0...8]))

            let tail = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=-10"])
            XCTAssertEqual(tail.status, .partialContent)
            XCTAssertEqual(Array(tail.body.readableBytesView), Array(bytes.suffix(10)))

            let open = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=1000-"])
            XCTAssertEqual(open.headers[.contentRange], "bytes 1000-\(bytes.count - 1)/\(bytes.count)")
            XCTAssertEqual(Array(open.body.readableBytesView), Array(bytes[1000...]))

            let beyond = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=999999-"])
            XCTAssertEqual(beyond.status, .rangeNotSatisfiable)
            XCTAssertEqual(beyond.headers[.contentRange], "bytes */\(bytes.count)")

            let staleIfRange = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=0-8", .ifRange: "\"old\""])
            XCTAssertEqual(staleIfRange.status, .ok, "a stale If-Range gets the whole file")

            let head = try await client.execute(uri: uri, method: .head)
            XCTAssertEqual(head.status, .ok)
            XCTAssertEqual(head.headers[.contentLength], String(bytes.count))
            XCTAssertEqual(head.body.readableBytes, 0)
        }
    }

    func testRangeParsing() {
        typealias C = FilesController<AppContext>
        XCTAssertEqual(C.parseRange(nil, size: 100), .full)
        XCTAssertEqual(C.parseRange("bytes=0-0", size: 100), .partial(0...0))
        XCTAssertEqual(C.parseRange("bytes=10-", size: 100), .partial(10...99))
        XCTAssertEqual(C.parseRange("bytes=90-200", size: 100), .partial(90...99))
        XCTAssertEqual(C.parseRange("bytes=-1", size: 100), .partial(99...99))
        XCTAssertEqual(C.parseRange("bytes=-500", size: 100), .partial(0...99))
        XCTAssertEqual(C.parseRange("bytes=100-", size: 100), .unsatisfiable)
        XCTAssertEqual(C.parseRange("bytes=5-1", size: 100), .full)
        XCTAssertEqual(C.parseRange("bytes=0-1,5-6", size: 100), .full)
        XCTAssertEqual(C.parseRange("items=0-1", size: 100), .full)
    }

    func testFilesOfUnfinishedJobsAndUnknownNamesAreNotServed() async throws {
        let server = try TestServer { $0.workers = 0 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            let (pending, problem) = try await client.json("/api/v1/jobs/\(id)/files/video.mp4")
            XCTAssertEqual(pending.status, .notFound)
            XCTAssertEqual(problem["code"]?.stringValue, "file_not_available")
            let (unknown, _) = try await client.json("/api/v1/jobs/\(id)/files/jobs.sqlite")
            XCTAssertEqual(unknown.status, .notFound)
        }
    }

    func testEventsFollowAJobFromQueueToSuccess() async throws {
        let pipeline = ScriptedPipeline(steps: 3, gated: true)
        let server = try TestServer(pipeline: pipeline)
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            _ = try await client.waitForStatus(id, "running")
            async let stream = client.execute(uri: "/api/v1/jobs/\(id)/events", method: .get)
            // Open the gate only once the stream is subscribed, so the steps are seen live.
            try await eventually("the event stream to subscribe") { (server.services?.hub.subscriberCount ?? 0) > 0 }
            pipeline.openGate()
            let response = try await stream
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "text/event-stream; charset=utf-8")
            let events = Self.parseSSE(response.text)
            let names = events.map(\.name)
            XCTAssertEqual(names.first, "running")
            XCTAssertEqual(names.last, "succeeded")
            let steps = events.filter { $0.name == "progress" }.compactMap { $0.data["step"]?.doubleValue }
            XCTAssertEqual(Array(steps.suffix(3)), [1, 2, 3])
            let generating = events.first { $0.name == "progress" && $0.data["stage"]?.stringValue == "generating" }
            XCTAssertEqual(generating?.data["total_steps"]?.doubleValue, 3)
            XCTAssertEqual(events.last?.data["status"]?.stringValue, "succeeded")
            guard case .array(let files)? = events.last?.data["files"] else { return XCTFail("the final event carries the job") }
            XCTAssertFalse(files.isEmpty)
        }
    }

    func testEventsOfAFinishedJobEndImmediately() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (id, _) = try await self.finishedJob(client)
            let response = try await client.execute(uri: "/api/v1/jobs/\(id)/events", method: .get)
            let events = Self.parseSSE(response.text)
            XCTAssertEqual(events.map(\.name), ["succeeded"])
            XCTAssertTrue(response.text.hasPrefix("retry: 3000"))
        }
    }

    func testQueuedJobsReportTheirPosition() async throws {
        let server = try TestServer { $0.workers = 0 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            _ = try await client.submit(.job(fields: ["title": "first"]))
            let id = try await client.submit(.job(fields: ["title": "second"])).jobID()
            async let stream = client.execute(uri: "/api/v1/jobs/\(id)/events", method: .get)
            try await eventually("the event stream to subscribe") { (server.services?.hub.subscriberCount ?? 0) > 0 }
            _ = try await client.json("/api/v1/jobs/\(id)/cancel", method: .post)
            let events = Self.parseSSE(try await stream.text)
            XCTAssertEqual(events.first?.name, "queued")
            XCTAssertEqual(events.first?.data["position"]?.doubleValue, 2)
            XCTAssertEqual(events.last?.name, "cancelled")
        }
    }

    struct Event {
        var name: String
        var data: JSONValue
    }

    static func parseSSE(_ text: String) -> [Event] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var name: String?
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            guard let name else { return nil }
            return Event(name: name, data: JSONValue.parse(Data(data.utf8)) ?? .null)
        }
    }
}
