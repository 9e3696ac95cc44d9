import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import Server

/// Everything a client can get wrong ends as a problem document with a stable code, and no job.
final class BadInputTests: XCTestCase {
    func expectProblem(
        _ response: TestResponse, _ status: HTTPResponse.Status, code: String, field: String? = nil, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertEqual(response.headers[.contentType], "application/problem+json", file: file, line: line)
        let body = response.jsonBody
        XCTAssertEqual(body["code"]?.stringValue, code, response.text, file: file, line: line)
        XCTAssertEqual(body["type"]?.stringValue, "urn:i2v:problem:\(code)", file: file, line: line)
        XCTAssertEqual(body["status"]?.doubleValue, Double(status.code), file: file, line: line)
        XCTAssertFalse(body["detail"]?.stringValue?.isEmpty ?? true, file: file, line: line)
        if let field { XCTAssertEqual(body["field"]?.stringValue, field, file: file, line: line) }
    }

    func testOversizedUploadIsRefused() async throws {
        let server = try TestServer { $0.maxUploadBytes = 4000 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            self.expectProblem(try await client.submit(.job(image: Fixtures.jpeg, filename: "a.jpg", type: "image/jpeg")), .contentTooLarge, code: "payload_too_large")
            let huge = MultipartBody.job(image: Fixtures.png + Array(repeating: 0, count: 400_000))
            self.expectProblem(try await client.submit(huge), .contentTooLarge, code: "payload_too_large")
        }
    }

    func testImageWithTooManyPixelsIsRefused() async throws {
        let server = try TestServer { $0.maxImagePixels = 10_000 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            self.expectProblem(try await client.submit(.job()), .contentTooLarge, code: "image_too_large", field: "image")
        }
    }

    func testCorruptImagesAreRefused() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let truncatedJPEG = Array(Fixtures.jpeg.prefix(12))
            self.expectProblem(try await client.submit(.job(image: truncatedJPEG, filename: "a.jpg")), .unprocessableContent, code: "corrupt_image", field: "image")
            let truncatedPNG = Array(Fixtures.png.prefix(20))
            self.expectProblem(try await client.submit(.job(image: truncatedPNG)), .unprocessableContent, code: "corrupt_image")
        }
    }

    func testWrongFileTypesAreRefusedByContentNotName() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let gif = Fixtures.bytes("tiny.gif")
            self.expectProblem(try await client.submit(.job(image: gif, filename: "photo.png", type: "image/png")), .unsupportedMediaType, code: "unsupported_media_type")
            let script = Array("<script>alert(1)</script>".utf8)
            self.expectProblem(try await client.submit(.job(image: script, filename: "x.jpg", type: "image/jpeg")), .unsupportedMediaType, code: "unsupported_media_type")
            // A real PNG named .txt is accepted: the bytes decide.
            let ok = try await client.submit(.job(image: Fixtures.png, filename: "notes.txt", type: "text/plain"))
            XCTAssertEqual(ok.status, .accepted)
        }
    }

    func testTinyImagesAreRefused() async throws {
        let server = try TestServer { $0.minImageSide = 200 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            self.expectProblem(try await client.submit(.job()), .badRequest, code: "invalid_field", field: "image")
        }
    }

    func testMissingAndInvalidFieldsNameTheField() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            var noImage = MultipartBody()
            noImage.field("title", "Mug")
            self.expectProblem(try await client.submit(noImage), .badRequest, code: "missing_field", field: "image")
            let cases: [(String, String)] = [
                ("frames", "99"), ("frames", "ten"), ("fps", "0"), ("steps", "1.5"), ("guidance", "40"), ("seed", "-1"),
                ("engine", "sdxl"), ("aspect", "2:1"), ("resolution", "900"), ("outputs", "mov"), ("priority", "100"),
                ("webhook", "ftp://example.com/hook"), ("template", "spin-wildly"), ("category", "../etc"), ("colour", "red"),
                ("motion_strength", "2"),
            ]
            for (field, value) in cases {
                let response = try await client.submit(.job(fields: ["title": "Mug", field: value]))
                self.expectProblem(response, .badRequest, code: "invalid_field", field: field)
            }
            let long = try await client.submit(.job(fields: ["title": String(repeating: "x", count: 201)]))
            self.expectProblem(long, .badRequest, code: "invalid_field", field: "title")
            let stats = try await server.store.stats()
            XCTAssertEqual(stats.counts.values.reduce(0, +), 0, "no job was created")
        }
    }

    func testBodiesOfTheWrongShapeAreRefused() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (noURL, _) = try await client.json("/api/v1/jobs", method: .post, body: #"{"title":"Mug"}"#)
            self.expectProblem(noURL, .badRequest, code: "missing_field", field: "image_url")
            let (broken, _) = try await client.json("/api/v1/jobs", method: .post, body: #"{"title":"#)
            self.expectProblem(broken, .badRequest, code: "invalid_body")
            let (array, _) = try await client.json("/api/v1/jobs", method: .post, body: "[1,2]")
            self.expectProblem(array, .badRequest, code: "invalid_body")
            let text = try await client.execute(uri: "/api/v1/jobs", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hi"))
            self.expectProblem(text, .unsupportedMediaType, code: "unsupported_media_type")
            let noBoundary = try await client.execute(uri: "/api/v1/jobs", method: .post, headers: [.contentType: "multipart/form-data"], body: ByteBuffer(string: "x"))
            self.expectProblem(noBoundary, .badRequest, code: "invalid_body")
            var both = MultipartBody.job()
            both.field("image_url", "https://example.com/a.jpg")
            self.expectProblem(try await client.submit(both), .badRequest, code: "invalid_field", field: "image_url")
        }
    }

    func testImageURLsThatReachPrivateAddressesAreRefused() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let urls = [
                "http://127.0.0.1/x.jpg", "http://localhost:7860/healthz", "http://[::1]/x.jpg", "http://10.0.0.8/x.jpg",
                "http://192.168.1.1/x.jpg", "http://172.16.3.4/x.jpg", "http://169.254.169.254/latest/meta-data/",
                "http://100.100.100.200/latest/meta-data", "http://[::ffff:127.0.0.1]/x.jpg", "http://0.0.0.0/x.jpg",
                "http://2130706433/x.jpg", "http://[fd00:ec2::254]/latest", "http://[fe80::1]/x.jpg",
                "ftp://example.com/x.jpg", "file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/x.jpg",
                "not a url",
            ]
            for url in urls {
                let (response, body) = try await client.json("/api/v1/jobs", method: .post, body: #"{"title":"Mug","image_url":"\#(url)"}"#)
                XCTAssertEqual(response.status, .unprocessableContent, "\(url): \(body)")
                XCTAssertEqual(body["code"]?.stringValue, "image_url_refused", "\(url): \(body)")
            }
        }
    }

    func testUnknownRoutesAndTraversalAttemptsNeverServeFiles() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            for uri in [
                "/api/v1/jobs/../../data/jobs.sqlite", "/api/v1/jobs/%2e%2e%2fjobs.sqlite", "/api/v1/nothing", "/../Package.swift",
                "/%2e%2e/Package.swift", "/api/v1/jobs/j123/files/..%2F..%2Fjobs.sqlite", "/api/v1/jobs/j123/files/../../jobs.sqlite",
            ] {
                let response = try await client.execute(uri: uri, method: .get)
                XCTAssertTrue([400, 404].contains(response.status.code), "\(uri) → \(response.status)")
                XCTAssertFalse(response.text.contains("SQLite format"), uri)
                XCTAssertFalse(response.text.contains("PackageDescription"), uri)
            }
        }
    }
}
