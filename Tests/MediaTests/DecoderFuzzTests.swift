import Foundation
import XCTest
@testable import Media

/// Property: no mutation of a real JPEG, PNG or WebP file makes the decoder crash, hang, or
/// return an image that breaks its invariants. Mutations: bit flips, byte overwrites with
/// boundary values, truncations, header edits, inserted/deleted/duplicated spans.
final class DecoderFuzzTests: XCTestCase {
    /// Deterministic PRNG (SplitMix64) so failures reproduce.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static func mutate(_ seed: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = seed
        let rounds = 1 + rng.below(4)
        for _ in 0..<rounds {
            guard !b.isEmpty else { break }
            switch rng.below(8) {
            case 0, 1:   // flip 1-8 bits anywhere
                for _ in 0...rng.below(8) { b[rng.below(b.count)] ^= UInt8(1 << rng.below(8)) }
            case 2:      // header edit: boundary values in the first 64 bytes (sizes, markers, chunk lengths)
                let interesting: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE]
                b[rng.below(min(64, b.count))] = interesting[rng.below(interesting.count)]
            case 3:      // truncate
                b = Array(b.prefix(rng.below(b.count)))
            case 4:      // overwrite a random byte
                b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 5:      // delete a span
                let start = rng.below(b.count), len = 1 + rng.below(16)
                b.removeSubrange(start..<min(b.count, start + len))
            case 6:      // insert random bytes
                let at = rng.below(b.count + 1)
                b.insert(contentsOf: (0..<(1 + rng.below(16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            default:     // duplicate a span (repeated markers/chunks)
                let start = rng.below(b.count), len = 1 + rng.below(64)
                let span = Array(b[start..<min(b.count, start + len)])
                b.insert(contentsOf: span, at: rng.below(b.count + 1))
            }
        }
        return b
    }

    func testMutatedFilesNeverCrashTheDecoders() throws {
        var seeds: [(String, [UInt8])] = []
        for name in ["quadrants.jpg", "progressive.jpg", "orientation6.jpg", "grey.jpg", "cmyk_adobe.jpg",
                     "quadrants.png", "rgb16.png", "rgba16.png", "palette_trns.png", "grey_alpha.png",
                     "lossy.webp", "lossless.webp", "alpha_lossy.webp", "alpha_lossless.webp", "animated.webp"] {
            seeds.append((name, [UInt8](try fixture(name))))
        }
        let photo = photoLikeImage(width: 80, height: 72)
        seeds.append(("photo-baseline.jpg", try JPEGCodec.encode(photo, quality: 85, exif: EXIFOrientation.left.tiffBlock)))
        seeds.append(("photo-progressive.jpg", try JPEGCodec.encode(photo, quality: 85, progressive: true)))
        seeds.append(("photo.png", try PNGCodec.encode(pixels: photo.pixels, width: 80, height: 72, channels: 3)))

        // Keep the pixel limit small so mutated headers claiming large sizes are cheap either way.
        let options = DecodeOptions(limits: DecodeLimits(maxPixels: 1_000_000, minimumSide: 8))
        let perSeed = Int(ProcessInfo.processInfo.environment["I2V_FUZZ_PER_SEED"] ?? "") ?? 1000
        var rng = SplitMix64(state: 0x1_2345_6789)
        var outcomes: [String: Int] = [:]
        var total = 0
        for (name, seed) in seeds {
            for _ in 0..<perSeed {
                let input = Self.mutate(seed, &rng)
                total += 1
                do {
                    let d = try ImageDecoder.decode(input, options: options)
                    XCTAssertEqual(d.image.pixels.count, d.image.width * d.image.height * 3, name)
                    XCTAssertLessThanOrEqual(d.storedWidth * d.storedHeight, 1_000_000, name)
                    outcomes["decoded", default: 0] += 1
                } catch let e as MediaError {
                    XCTAssertFalse(e.description.isEmpty)
                    outcomes[Self.kind(e), default: 0] += 1
                } catch {
                    XCTFail("\(name): non-media error \(error)")
                }
            }
        }
        print("decoder fuzz: \(total) mutated inputs from \(seeds.count) seeds; outcomes \(outcomes.sorted { $0.key < $1.key })")
        XCTAssertEqual(total, seeds.count * perSeed)
        XCTAssertGreaterThan(outcomes["decoded", default: 0], 0, "some mutations (e.g. in pixel data) still decode")
    }

    private static func kind(_ e: MediaError) -> String {
        switch e.underlying {
        case .truncated: return "truncated"
        case .corrupt: return "corrupt"
        case .unsupported: return "unsupported"
        case .tooManyPixels: return "tooManyPixels"
        case .tooSmall: return "tooSmall"
        case .unrecognizedFormat: return "unrecognizedFormat"
        case .emptyInput: return "empty"
        default: return "other"
        }
    }
}
