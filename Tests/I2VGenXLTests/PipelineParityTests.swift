import Foundation
import ModelIO
import Tensor
import XCTest
@testable import I2VGenXL

/// `i2v parity pipeline` reproduces diffusers' I2VGenXLPipeline end to end with injected noise:
/// frames within 2e-3 absolute and final latents within 1e-3 relative (PARITY.md).
final class PipelineParityTests: XCTestCase {
    let be = CPUBackend()

    func check(_ fixture: String) throws {
        let out = try UNetFixtures.run("pipeline", fixture: fixture, backend: be)
        XCTAssertEqual(out.names.sorted(), ["frames", "latents"])
        let ref = try SafetensorsFile(path: UNetFixtures.root + "/\(fixture)/pipeline.out.safetensors")
        let frames = try out.require("frames"), latents = try out.require("latents")
        XCTAssertEqual(frames.shape, try ref.require("frames").shape)
        XCTAssertEqual(latents.shape, try ref.require("latents").shape)
        let frameErr = UNetFixtures.absoluteError(try frames.floats(), try ref.require("frames").floats())
        let latentErr = UNetFixtures.relativeError(try latents.floats(), try ref.require("latents").floats())
        print("pipeline parity \(fixture): frames absolute \(frameErr), latents relative \(latentErr)")
        XCTAssertLessThanOrEqual(frameErr, 2e-3)
        XCTAssertLessThanOrEqual(latentErr, 1e-3)
    }

    func testTinySquareFP32MatchesDiffusers() throws { try check("tiny-square") }

    func testTinyNonSquareFP16WithNegativePromptMatchesDiffusers() throws { try check("tiny-nonsquare-fp16") }
}
