import Foundation
import XCTest
@testable import Server

/// The small parsers at the HTTP edge.
final class ParsingTests: XCTestCase {
    func testImagesAreIdentifiedByTheirBytes() throws {
        XCTAssertEqual(try ImageSniffer.inspect(Fixtures.png), .init(format: .png, width: 160, height: 120))
        XCTAssertEqual(try ImageSniffer.inspect(Fixtures.jpeg), .init(format: .jpeg, width: 160, height: 120))
        XCTAssertEqual(try ImageSniffer.inspect(Fixtures.bytes("product.webp")), .init(format: .webp, width: 160, height: 120))
        XCTAssertEqual(try ImageSniffer.inspect(Fixtures.bytes("lossless.webp")), .init(format: .webp, width: 160, height: 120))
        XCTAssertThrowsError(try ImageSniffer.inspect(Fixtures.bytes("tiny.gif"))) { XCTAssertEqual($0 as? ImageSniffer.Failure, .unsupported) }
        XCTAssertThrowsError(try ImageSniffer.inspect(Array("hello".utf8))) { XCTAssertEqual($0 as? ImageSniffer.Failure, .unsupported) }
        XCTAssertThrowsError(try ImageSniffer.inspect(Array(Fixtures.jpeg.prefix(40)))) {
            guard case .corrupt? = $0 as? ImageSniffer.Failure else { return XCTFail("expected corrupt, got \($0)") }
        }
    }

    func testMultipartPartsAreSplitWithFilenamesAndTypes() throws {
        var body = MultipartBody()
        body.field("title", "Mug; \"deluxe\"")
        body.file("image", filename: "a b.png", type: "image/png", [0, 13, 10, 45, 45, 1])
        let bytes = Array(body.finished.readableBytesView)
        let form = try MultipartForm(body: bytes, boundary: body.boundary)
        XCTAssertEqual(form.parts.count, 2)
        XCTAssertEqual(form.parts[0].name, "title")
        XCTAssertEqual(form.parts[0].text, "Mug; \"deluxe\"")
        XCTAssertNil(form.parts[0].filename)
        XCTAssertEqual(form.parts[1].filename, "a b.png")
        XCTAssertEqual(form.parts[1].contentType, "image/png")
        XCTAssertEqual(Array(form.parts[1].body), [0, 13, 10, 45, 45, 1])
        XCTAssertEqual(MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=\"abc\""), "abc")
        XCTAssertNil(MultipartForm.boundary(fromContentType: "application/json"))
        XCTAssertThrowsError(try MultipartForm(body: Array("--x\r\nno end".utf8), boundary: "x"))
        XCTAssertThrowsError(try MultipartForm(body: Array("garbage".utf8), boundary: "x"))
    }

    func testAddressPolicyRefusesInternalAddresses() {
        let refused = ["127.0.0.1", "127.9.9.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254",
                       "100.64.0.1", "100.100.100.200", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1",
                       "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1"]
        for text in refused {
            guard let address = AddressPolicy.parse(text) else { XCTFail("cannot parse \(text)"); continue }
            XCTAssertNotNil(AddressPolicy.refusal(for: address), text)
        }
        let allowed = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "[2001:4860:4860::8888]"]
        for text in allowed {
            guard let address = AddressPolicy.parse(text) else { XCTFail("cannot parse \(text)"); continue }
            XCTAssertNil(AddressPolicy.refusal(for: address), text)
        }
        XCTAssertNil(AddressPolicy.parse("example.com"))
        XCTAssertEqual(AddressPolicy.parse("::1")?.description, "::1")
    }

    func testCSVHandlesQuotesNewlinesAndBOM() throws {
        let text = "\u{FEFF}image_url,title\r\nhttps://a/x.jpg,\"Mug, \"\"blue\"\"\"\nhttps://a/y.jpg,\"two\nlines\"\n\n"
        let records = try CSV.records(text)
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(records[0]["title"], "Mug, \"blue\"")
        XCTAssertEqual(records[1]["title"], "two\nlines")
        XCTAssertEqual(records[1]["image_url"], "https://a/y.jpg")
        XCTAssertThrowsError(try CSV.parse("a,\"open"))
        XCTAssertThrowsError(try CSV.records("a\n1,2\n"))
        XCTAssertEqual(CSV.escape("plain"), "plain")
        XCTAssertEqual(CSV.escape("a,\"b\""), "\"a,\"\"b\"\"\"")
    }

    func testSlugsKeepLettersOfAnyScript() {
        XCTAssertEqual(Slug.make("Ceramic Mug 350ml!"), "ceramic-mug-350ml")
        XCTAssertEqual(Slug.make("陶瓷马克杯 350ml"), "陶瓷马克杯-350ml")
        XCTAssertEqual(Slug.make("../../etc/passwd"), "etc-passwd")
        XCTAssertEqual(Slug.make("   "), "video")
        XCTAssertEqual(Slug.make(String(repeating: "a", count: 100)).count, 40)
    }

    func testFieldsParseIntoATypedRequest() throws {
        let (request, options) = try FieldReader.parse([
            "title": .string(" Red kettle "), "frames": .string("24"), "fps": .number(8), "guidance": .string("9.5"),
            "seed": .string("4294967295"), "outputs": .array([.string("webp"), .string("mp4"), .string("mp4")]),
            "resolution": .string("768p"), "aspect": .string("3:4"), "engine": .string("TEMPLATE"), "priority": .string("3"),
            "webhook": .string("https://hooks.example/x"), "template": .string("auto"),
        ])
        XCTAssertEqual(request.title, "Red kettle")
        XCTAssertEqual(request.frames, 24)
        XCTAssertEqual(request.fps, 8)
        XCTAssertEqual(request.guidance, 9.5)
        XCTAssertEqual(request.seed, UInt32.max)
        XCTAssertEqual(request.outputs, [.mp4, .webp])
        XCTAssertEqual(request.resolution, 768)
        XCTAssertEqual(request.aspect, "3:4")
        XCTAssertEqual(request.engine, .template)
        XCTAssertNil(request.template, "auto means the planner chooses")
        XCTAssertEqual(options.priority, 3)
        XCTAssertEqual(options.webhook, "https://hooks.example/x")
        let payload = try request.canonicalJSON()
        XCTAssertTrue(payload.contains("\"negative_prompt\"") == false && payload.contains("\"frames\":24"), payload)
        XCTAssertEqual(try GenerationRequest.decodePayload(payload), request)
    }

    func testConfigLayersApplyInOrder() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-config-\(UUID().uuidString).json")
        try Data(#"{"port": 9000, "workers": 2, "api_keys": ["a", "b"], "retention_days": 7}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let config = try ConfigLoader.load(
            file: file, environment: ["I2V_PORT": "9100", "I2V_MAX_UPLOAD_MB": "5", "PATH": "/bin"], overrides: ["port": "9200"])
        XCTAssertEqual(config.port, 9200, "command line wins")
        XCTAssertEqual(config.workers, 2, "file value kept")
        XCTAssertEqual(config.apiKeys, ["a", "b"])
        XCTAssertEqual(config.maxUploadBytes, 5 * 1_048_576)
        XCTAssertEqual(config.retentionDays, 7)
        XCTAssertEqual(config.host, "0.0.0.0")
        XCTAssertTrue(config.requiresAPIKey)
        XCTAssertThrowsError(try ConfigLoader.load(file: nil, environment: ["I2V_PORT": "http"], overrides: [:])) {
            XCTAssertTrue("\($0)".contains("port"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigLoader.load(file: nil, environment: [:], overrides: ["colour": "red"]))
        XCTAssertThrowsError(try ConfigLoader.load(file: nil, environment: [:], overrides: ["heartbeat_seconds": "40", "lease_seconds": "60"]))
        var loopback = ServerConfig()
        loopback.host = "127.0.0.1"
        XCTAssertFalse(loopback.requiresAPIKey)
    }

    func testWebhookSignaturesVerifyAndRejectTampering() {
        let signer = WebhookSigner(secret: "s3cret")
        let body = Array(#"{"event":"job.succeeded"}"#.utf8)
        let header = signer.signature(body: body, timestamp: 1_800_000_000)
        XCTAssertTrue(header.hasPrefix("t=1800000000,v1="))
        XCTAssertEqual(header.count, "t=1800000000,v1=".count + 64)
        XCTAssertTrue(signer.verify(header: header, body: body, now: 1_800_000_100))
        XCTAssertFalse(signer.verify(header: header, body: body + [32], now: 1_800_000_100))
        XCTAssertFalse(signer.verify(header: header, body: body, now: 1_800_001_000), "too old")
        XCTAssertFalse(WebhookSigner(secret: "other").verify(header: header, body: body, now: 1_800_000_000))
    }
}
