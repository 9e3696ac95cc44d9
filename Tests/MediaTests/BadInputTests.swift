import Foundation
import XCTest
@testable import Media

/// Every kind of bad upload ends as a typed error with a clear message, checked before pixels
/// are allocated where the header already tells.
final class BadInputTests: XCTestCase {
    private let small = DecodeOptions(limits: DecodeLimits(minimumSide: 16))

    func testZeroBytes() {
        assertMediaError(try ImageDecoder.decode([UInt8]()), "empty") { $0 == .emptyInput }
    }

    func testWrongMagic() throws {
        assertMediaError(try ImageDecoder.decode(Array("GIF89a not supported here".utf8)), "gif") {
            if case .unrecognizedFormat(let lead) = $0 { return lead.hasPrefix("47 49 46") }
            return false
        }
        assertMediaError(try ImageDecoder.decode(Array("<html>".utf8)), "html") {
            if case .unrecognizedFormat = $0 { return true }
            return false
        }
        XCTAssertEqual(MediaError.unrecognizedFormat(leadingBytes: "3C 68").description,
                       "not a JPEG, PNG or WebP image (starts with 3C 68)")
    }

    func testTruncatedFilesOfEachFormat() throws {
        for name in ["quadrants.jpg", "progressive.jpg", "quadrants.png", "lossy.webp", "lossless.webp", "animated.webp"] {
            let data = try fixture(name)
            for keep in [data.count / 2, data.count - 20] {
                let cut = Array(data.prefix(keep))
                assertMediaError(try ImageDecoder.decode(cut, options: small), "\(name) cut to \(keep)") {
                    switch $0 {
                    case .truncated, .corrupt: return true
                    default: return false
                    }
                }
            }
        }
        // Cut inside the entropy-coded data: reported as truncation, not decoded as grey.
        let jpeg = try JPEGCodec.encode(photoLikeImage(width: 256, height: 256), quality: 90)
        assertMediaError(try ImageDecoder.decode(Array(jpeg.prefix(jpeg.count * 2 / 3))), "jpeg mid-scan") {
            if case .truncated(.jpeg, _) = $0 { return true }
            return false
        }
    }

    func testMissingEOIAfterCompleteImageDataIsAccepted() throws {
        let jpeg = try JPEGCodec.encode(photoLikeImage(width: 128, height: 128), quality: 90)
        XCTAssertEqual(Array(jpeg.suffix(2)), [0xFF, 0xD9])
        let d = try ImageDecoder.decode(Array(jpeg.dropLast(2)))
        XCTAssertEqual(d.image.width, 128)
    }

    func testMinimumSideIsEnforced() throws {
        var options = DecodeOptions()
        options.limits.minimumSide = 65
        assertMediaError(try ImageDecoder.decode(try fixture("quadrants.png"), options: options), "64 < 65") {
            $0 == .tooSmall(width: 96, height: 64, minimumSide: 65)
        }
        XCTAssertNoThrow(try ImageDecoder.decode(try fixture("quadrants.png")), "64 px meets the default minimum")
    }

    /// Crafted headers claiming huge sizes are rejected before the decoder allocates pixels.
    func testDecompressionBombsAreRejectedFromTheHeader() throws {
        // JPEG: patch the SOF0 frame size to 30000 x 30000 (900 MP).
        var jpeg = [UInt8](try fixture("quadrants.jpg"))
        guard let sof = (0..<(jpeg.count - 9)).first(where: { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }) else {
            return XCTFail("no SOF0")
        }
        jpeg[sof + 5] = 0x75; jpeg[sof + 6] = 0x30; jpeg[sof + 7] = 0x75; jpeg[sof + 8] = 0x30
        assertMediaError(try ImageDecoder.decode(jpeg), "jpeg bomb") { $0 == .tooManyPixels(width: 30000, height: 30000, limit: 40_000_000) }

        // PNG: IHDR width/height at bytes 16..23 (libpng checks the CRC, so recompute it).
        var png = [UInt8](try fixture("quadrants.png"))
        png.replaceSubrange(16..<24, with: [0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20])   // 20000 x 20000
        let crc = crc32(png[12..<29])
        png.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
        assertMediaError(try ImageDecoder.decode(png), "png bomb") { $0 == .tooManyPixels(width: 20000, height: 20000, limit: 40_000_000) }

        // WebP lossless: VP8L header packs (width-1, height-1) as 14-bit fields after the 0x2F signature.
        var webp = [UInt8](try fixture("lossless.webp"))
        guard let sig = (12..<(webp.count - 5)).first(where: { webp[$0] == 0x2F && Array(webp[($0 - 8)..<($0 - 4)]) == Array("VP8L".utf8) }) else {
            return XCTFail("no VP8L chunk")
        }
        let bits = UInt32(webp[sig + 1]) | UInt32(webp[sig + 2]) << 8 | UInt32(webp[sig + 3]) << 16 | UInt32(webp[sig + 4]) << 24
        let patched = (bits & ~UInt32(0x0FFF_FFFF)) | 16383 | (16383 << 14)   // 16384 x 16384
        for k in 0..<4 { webp[sig + 1 + k] = UInt8((patched >> (8 * UInt32(k))) & 0xFF) }
        assertMediaError(try ImageDecoder.decode(webp), "webp bomb") { $0 == .tooManyPixels(width: 16384, height: 16384, limit: 40_000_000) }

        // A tighter configured limit applies to ordinary images too.
        var options = DecodeOptions()
        options.limits.maxPixels = 5000
        assertMediaError(try ImageDecoder.decode(try fixture("quadrants.jpg"), options: options), "limit 5000") {
            $0 == .tooManyPixels(width: 96, height: 64, limit: 5000)
        }
    }

    func testByteSizeLimit() throws {
        var options = DecodeOptions()
        options.limits.maxBytes = 100
        assertMediaError(try ImageDecoder.decode(try fixture("quadrants.jpg"), options: options), "bytes") {
            if case .inputTooLarge(_, 100) = $0 { return true }
            return false
        }
        let dir = try temporaryDirectory(self)
        let file = dir.appendingPathComponent("big.jpg")
        try fixture("quadrants.jpg").write(to: file)
        do {
            _ = try ImageDecoder.decode(contentsOf: file, options: options)
            XCTFail("expected the file to be refused")
        } catch let e as MediaError {
            XCTAssertTrue(e.description.hasPrefix(file.path), e.description)
        }
    }

    func testMissingFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/photo.jpg")
        do {
            _ = try ImageDecoder.decode(contentsOf: url)
            XCTFail("expected an error")
        } catch let e as MediaError {
            XCTAssertTrue(e.description.contains("/nonexistent/photo.jpg"), e.description)
        } catch {
            XCTFail("\(error)")
        }
    }

    func testProgressiveScanLimit() throws {
        let jpeg = try JPEGCodec.encode(photoLikeImage(width: 128, height: 128), quality: 90, progressive: true)
        var options = DecodeOptions()
        options.limits.maxProgressiveScans = 3
        assertMediaError(try ImageDecoder.decode(jpeg, options: options), "scans") {
            if case .unsupported(.jpeg, let detail) = $0 { return detail.contains("more than 3 scans") }
            return false
        }
        XCTAssertNoThrow(try ImageDecoder.decode(jpeg))
    }
}

/// PNG's CRC-32 (ISO 3309), for re-signing edited chunks in tests.
func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}
