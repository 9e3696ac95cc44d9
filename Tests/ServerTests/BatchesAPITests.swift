import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
import ZIPFoundation
@testable import Server

/// Batches from a zip of images (with and without a CSV), their status and their archive.
final class BatchesAPITests: XCTestCase {
    func zip(_ entries: [String: [UInt8]]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, bytes) in entries.sorted(by: { $0.key < $1.key }) {
            let data = Data(bytes)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Array(try XCTUnwrap(archive.data))
    }

    func submitBatch(_ client: some TestClientProtocol, file: [UInt8], filename: String, fields: [String: String] = [:]) async throws -> TestResponse {
        var body = MultipartBody()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { body.field(key, value) }
        body.file("file", filename: filename, type: "application/octet-stream", file)
        return try await client.execute(uri: "/api/v1/batches", method: .post, headers: [.contentType: body.contentType], body: body.finished)
    }

    func testZipWithCSVBecomesABatchAndItsArchiveHoldsEveryOutput() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let csv = "image,title,frames\nmug.png,Ceramic mug,16\nshoe.jpg,\"Running shoe, red\",24\nmissing.png,Ghost,16\n"
            let file = try self.zip(["photos/mug.png": Fixtures.png, "photos/shoe.jpg": Fixtures.jpeg, "products.csv": Array(csv.utf8)])
            let response = try await self.submitBatch(client, file: file, filename: "catalogue.zip", fields: ["batch_title": "Spring catalogue"])
            // The row naming a file that is not in the zip rejects the whole upload with its line.
            XCTAssertEqual(response.status, .badRequest, response.text)
            XCTAssertTrue(response.jsonBody["detail"]?.stringValue?.contains("missing.png") ?? false)

            let good = try self.zip(["photos/mug.png": Fixtures.png, "photos/shoe.jpg": Fixtures.jpeg,
                                     "products.csv": Array("image,title,frames\nmug.png,Ceramic mug,16\nshoe.jpg,\"Running shoe, red\",24\n".utf8)])
            let created = try await self.submitBatch(client, file: good, filename: "catalogue.zip", fields: ["batch_title": "Spring catalogue"])
            XCTAssertEqual(created.status, .accepted, created.text)
            let batch = created.jsonBody["batch"]!
            let id = try XCTUnwrap(batch["id"]?.stringValue)
            XCTAssertEqual(batch["title"]?.stringValue, "Spring catalogue")
            XCTAssertEqual(batch["item_count"]?.doubleValue, 2)
            XCTAssertEqual(created.jsonBody["rejected"], .array([]))
            guard case .array(let items)? = batch["items"] else { return XCTFail("no items") }
            XCTAssertEqual(items.compactMap { $0["title"]?.stringValue }, ["Ceramic mug", "Running shoe, red"])

            try await eventually("the batch to complete") {
                let (_, status) = try await client.json("/api/v1/batches/\(id)")
                return status["status"]?.stringValue == "completed"
            }
            let (_, status) = try await client.json("/api/v1/batches/\(id)")
            XCTAssertEqual(status["counts"]?["succeeded"]?.doubleValue, 2)
            guard case .array(let finished)? = status["items"] else { return XCTFail("no items") }
            XCTAssertTrue(finished.allSatisfy { $0["files"]?["video.mp4"] != nil })

            let archive = try await client.execute(uri: "/api/v1/batches/\(id)/archive", method: .get)
            XCTAssertEqual(archive.status, .ok)
            XCTAssertEqual(archive.headers[.contentType], "application/zip")
            let zip = try Archive(data: Data(archive.body.readableBytesView), accessMode: .read)
            let names = zip.map(\.path)
            XCTAssertEqual(names.filter { $0.hasSuffix(".mp4") }.count, 2)
            XCTAssertEqual(names.filter { $0.hasSuffix("/qc.json") }.count, 2)
            XCTAssertTrue(names.contains("summary.csv"))
            var summary = Data()
            _ = try zip.extract(zip["summary.csv"]!) { summary.append($0) }
            let rows = try CSV.records(String(decoding: summary, as: UTF8.self))
            XCTAssertEqual(rows.map { $0["status"] }, ["succeeded", "succeeded"])
            XCTAssertEqual(rows.map { $0["title"] }, ["Ceramic mug", "Running shoe, red"])
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: server.config.dataURL.appendingPathComponent("tmp").path)
            XCTAssertTrue(leftovers.filter { $0.hasSuffix(".zip") }.isEmpty, "the temporary archive is removed")

            let (_, listed) = try await client.json("/api/v1/jobs?batch=\(id)")
            guard case .array(let jobs)? = listed["jobs"] else { return XCTFail("no jobs") }
            XCTAssertEqual(jobs.count, 2)
        }
    }

    func testZipWithoutCSVTitlesItemsAfterTheirFiles() async throws {
        let server = try TestServer { $0.workers = 0 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let file = try self.zip(["red_kettle.png": Fixtures.png, "notes.txt": Array("hi".utf8), "__MACOSX/._red_kettle.png": [0]])
            let response = try await self.submitBatch(client, file: file, filename: "x.zip", fields: ["frames": "12"])
            XCTAssertEqual(response.status, .accepted, response.text)
            guard case .array(let items)? = response.jsonBody["batch"]?["items"] else { return XCTFail("no items") }
            XCTAssertEqual(items.compactMap { $0["title"]?.stringValue }, ["red kettle"])
            let jobID = try XCTUnwrap(items.first?["id"]?.stringValue)
            let (_, job) = try await client.json("/api/v1/jobs/\(jobID)")
            XCTAssertEqual(job["params"]?["frames"]?.doubleValue, 12, "form fields are defaults for every item")
        }
    }

    func testInvalidItemsAreReportedAndTheRestQueued() async throws {
        let server = try TestServer { $0.workers = 0 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let csv = "image,title,frames\na.png,Good,16\nb.png,Bad frames,99\nc.gif,Wrong type,16\n"
            let file = try self.zip(["a.png": Fixtures.png, "b.png": Fixtures.png, "c.gif": Fixtures.bytes("tiny.gif"), "list.csv": Array(csv.utf8)])
            let response = try await self.submitBatch(client, file: file, filename: "x.zip")
            XCTAssertEqual(response.status, .accepted, response.text)
            XCTAssertEqual(response.jsonBody["batch"]?["item_count"]?.doubleValue, 1)
            guard case .array(let rejected)? = response.jsonBody["rejected"] else { return XCTFail("no rejected list") }
            XCTAssertEqual(rejected.compactMap { $0["index"]?.doubleValue }, [1, 2])
            XCTAssertEqual(rejected.compactMap { $0["code"]?.stringValue }, ["invalid_field", "unsupported_media_type"])
        }
    }

    func testBatchesWhereNothingIsValidAreRefused() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (response, problem) = try await client.json(
                "/api/v1/batches", method: .post, body: #"{"items":[{"image_url":"http://127.0.0.1/a.jpg","title":"x"}]}"#)
            XCTAssertEqual(response.status, .unprocessableContent)
            XCTAssertEqual(problem["code"]?.stringValue, "batch_rejected")
            let (empty, emptyProblem) = try await client.json("/api/v1/batches", method: .post, body: #"{"items":[]}"#)
            XCTAssertEqual(empty.status, .badRequest)
            XCTAssertEqual(emptyProblem["field"]?.stringValue, "items")
            let (missing, _) = try await client.json("/api/v1/batches/b0000000000000000")
            XCTAssertEqual(missing.status, .notFound)
        }
    }
}
