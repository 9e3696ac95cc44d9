import Foundation
@testable import I2VGenXL
import ModelIO
import Tensor
import XCTest

/// Spatial tiling of the VAE decode (diffusers' tiled_decode): the blending machinery is exact
/// for a tile-local decoder, and on the fixture VAE its effect on the output is bounded.
final class VAETilingTests: XCTestCase {
    let b = CPUBackend()

    func testTileGridMustCoverEveryPixelOnce() {
        XCTAssertNoThrow(try VAETiling(tileSampleSize: 768).validate(scaleFactor: 8))  // stride 576 = row limit
        XCTAssertNoThrow(try VAETiling(tileSampleSize: 512).validate(scaleFactor: 8))
        XCTAssertThrowsError(try VAETiling(tileSampleSize: 10).validate(scaleFactor: 1))  // stride 7, row limit 8
        XCTAssertThrowsError(try VAETiling(tileSampleSize: 20).validate(scaleFactor: 8))  // not a multiple of f
    }

    /// With a decoder that only looks at each latent pixel (nearest ×2 upsampling), blending two
    /// overlapping tiles mixes equal values, so the tiled result equals the untiled one.
    func testBlendingIsExactForATileLocalDecoder() throws {
        var rng = SystemRandomNumberGenerator()
        let z = b.tensor((0..<(2 * 3 * 13 * 21)).map { _ in Float.random(in: -1...1, using: &rng) }, shape: [2, 3, 13, 21])
        let tiling = VAETiling(tileSampleSize: 8)  // latent tile 4, stride 3, blend 2 px, row limit 6 px
        try tiling.validate(scaleFactor: 2)
        let tiled = tiling.decode(b, z, scaleFactor: 2) { self.b.upsampleNearest2x($0) }
        let plain = b.upsampleNearest2x(z)
        XCTAssertEqual(tiled.shape, plain.shape)
        let err = relativeError(b.toHost(tiled), b.toHost(plain))
        print("tile-local decoder: tiled vs untiled relative error \(err)")
        XCTAssertLessThanOrEqual(err, 1e-6)
    }

    /// The blend weights run linearly from the tile above/left (weight 1) to the new tile.
    func testBlendRampsLinearlyAcrossTheOverlap() {
        let prev = b.full([1, 1, 4, 1], value: 1)
        let next = b.full([1, 1, 4, 1], value: 5)
        let mixed = b.toHost(VAETiling.blend(b, prev, next, extent: 4, axis: 2))
        XCTAssertEqual(mixed, [1, 2, 3, 4])
    }

    /// Tiled decoding of the fp16 fixture VAE (scale factor 2, 16×24 latents → 32×48 frames).
    /// Tiles see less context than the frame and this VAE's mid-block attention is global, with
    /// random weights and white-noise latents — the worst case for tiling — so the difference is
    /// large; the stated bounds (relative to the untiled output's max) are what this fixture
    /// measures, with a small margin: 16-px tiles (8×8 latents) ≤ 0.70 (measured 0.649), 24-px
    /// tiles (12×12 latents) ≤ 0.45 (measured 0.406). Shapes are unchanged and the error shrinks
    /// as tiles grow.
    func testTiledDecodeOfFixtureVAEStaysWithinTheStatedBound() throws {
        let dir = try ModelDirectory(path: Fixtures.path("tiny-nonsquare-fp16", "model"))
        let vae = try AutoencoderKL.load(from: dir, backend: b)
        let input = try SafetensorsFile(path: Fixtures.path("tiny-nonsquare-fp16", "vae-decode.in.safetensors"))
        let latents = b.tensor(try input.require("latents").floats(), shape: try input.require("latents").shape)
        let plain = b.toHost(try vae.decode(b, latents))
        var errors: [Double] = []
        for (tile, bound) in [(16, 0.70), (24, 0.45)] {
            let tiled = try vae.decode(b, latents, options: .init(chunkSize: 2, tiling: VAETiling(tileSampleSize: tile)))
            XCTAssertEqual(tiled.shape, [2, 3, 32, 48])
            let t = b.toHost(tiled)
            let err = relativeError(t, plain)
            let mean = zip(t, plain).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(t.count)
            print("fixture VAE tiled (\(tile) px tiles) vs untiled: relative error \(err) (bound \(bound)), mean |diff| \(mean)")
            XCTAssertLessThanOrEqual(err, bound)
            errors.append(err)
        }
        XCTAssertLessThan(errors[1], errors[0], "larger tiles should differ less")
    }

    /// Chunking is exact: every op of the 2-D decoder is per sample.
    func testChunkSizeDoesNotChangeTheDecode() throws {
        let dir = try ModelDirectory(path: Fixtures.path("tiny-square", "model"))
        let vae = try AutoencoderKL.load(from: dir, backend: b)
        let input = try SafetensorsFile(path: Fixtures.path("tiny-square", "vae-decode.in.safetensors"))
        let latents = b.tensor(try input.require("latents").floats(), shape: try input.require("latents").shape)
        let one = b.toHost(try vae.decode(b, latents, options: .init(chunkSize: 1)))
        let all = b.toHost(try vae.decode(b, latents, options: .init(chunkSize: 8)))
        XCTAssertEqual(relativeError(one, all), 0, accuracy: 1e-6)
    }
}
