import Foundation
import Media
import Quality
import XCTest

/// The QC on synthetic clips with known defects: each defect is caught by its own check, and
/// no other check misfires on it. The clean clip passes everything.
final class QCValidationTests: XCTestCase {
    private func report(_ clip: SyntheticClip, _ t: QCThresholds = .standard) throws -> QCReport {
        try VideoQC.check(frames: clip.frames, input: clip.input, thresholds: t)
    }

    /// Exactly `expected` fail (every one of them, and nothing else).
    private func assertFailures(_ r: QCReport, _ expected: Set<QCCheckID>, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(r.failedChecks), expected, r.summary, file: file, line: line)
        XCTAssertEqual(r.passed, expected.isEmpty, file: file, line: line)
        XCTAssertEqual(r.failures.count, expected.count, file: file, line: line)
    }

    func testACleanSlowPanAndPushInPassesEveryCheck() throws {
        let r = try report(SyntheticClips.standard)
        assertFailures(r, [])
        XCTAssertEqual(r.analysis.analysedFrames, Array(0..<16))
        // Only the NaN check (8-bit frames cannot carry NaN) is not measured.
        XCTAssertEqual(r.checks.filter { $0.status == .skipped }.map(\.id), [.nonFiniteFrames])
    }

    func testACleanClipOfAnotherAspectAndSizePasses() throws {
        assertFailures(try report(SyntheticClips.clean(width: 320, height: 192, seed: 21)), [])
    }

    func testACleanClipAsFloatFramesPassesIncludingTheNaNCheck() throws {
        let f = SyntheticClips.floatFrames(nanFrame: nil)
        let r = try VideoQC.check(floatFrames: f.frames, input: f.input)
        assertFailures(r, [])
        XCTAssertEqual(r.check(.nonFiniteFrames)?.status, .pass)
        XCTAssertEqual(r.series.nonFiniteValues, Array(repeating: 0, count: 16))
    }

    func testAShakenClipFailsJitterOnly() throws {
        let r = try report(SyntheticClips.shaken())
        XCTAssertEqual(r.check(.jitterHighFrequency)?.status, .fail)
        XCTAssertEqual(r.failedCategories, [.jitter])
    }

    /// An 8-frame loop whose camera swings out and back once (±1.2 % of the short side) is smooth
    /// motion and passes; the same 8 frames with random ±1 % shake on top fail jitter.
    func testAShortSmoothLoopPassesJitterAndAShortShakenClipDoesNot() throws {
        let s = SyntheticClips.scene()
        let swing = { (t: Int) -> Camera in
            let phase = 2 * Double.pi * Double(t) / 8
            return Camera(zoom: 1 + 0.02 * (1 - cos(phase)) / 2, panX: 3 * sin(phase), panY: 1.5 * sin(phase))
        }
        let smooth = SyntheticClip(name: "8-frame loop", frames: (0..<8).map { s.render(swing($0), noise: 1, noiseSeed: UInt64(400 + $0)) },
                                   input: s.render(swing(0)))
        assertFailures(try report(smooth), [])
        var rng = SplitMix64(seed: 5)
        let shaken = SyntheticClip(name: "8-frame shaken loop", frames: (0..<8).map { t -> Camera in
            var cam = swing(t)
            if t > 0 { cam.panX += rng.uniform(-2.56, 2.56); cam.panY += rng.uniform(-2.56, 2.56) }
            return cam
        }.enumerated().map { s.render($1, noise: 1, noiseSeed: UInt64(400 + $0)) }, input: s.render(swing(0)))
        let r = try report(shaken)
        XCTAssertEqual(r.check(.jitterHighFrequency)?.status, .fail, r.summary)
        XCTAssertEqual(r.failedCategories, [.jitter], r.summary)
    }

    func testABlurredClipFailsSharpnessAndIsNotMistakenForJitterOrFlicker() throws {
        let r = try report(SyntheticClips.blurred())
        assertFailures(r, [.sharpnessMinFrameRatio, .sharpnessMeanRatio])
        XCTAssertLessThan(try XCTUnwrap(r.check(.sharpnessMeanRatio)?.value), 0.15)
    }

    func testAFlickeringClipFailsFlickerOnly() throws {
        let r = try report(SyntheticClips.flickering())
        assertFailures(r, [.flickerHighFrequency, .flickerSignFlips])
        XCTAssertEqual(try XCTUnwrap(r.check(.flickerSignFlips)?.value), 1, accuracy: 1e-9)
    }

    func testAFrozenClipFailsTheFrozenAndMotionChecks() throws {
        let r = try report(SyntheticClips.frozen())
        assertFailures(r, [.frozenPairs, .motionChangeFromFirstFrame])
    }

    /// Sensor-like noise on a still scene changes every pixel of every frame, but nothing moves.
    func testAStillButNoisyClipFailsTheMotionFloorOnly() throws {
        let s = SyntheticClips.scene()
        let frames = (0..<16).map { s.render(Camera(), noise: 3, noiseSeed: UInt64(200 + $0)) }
        let r = try report(SyntheticClip(name: "still + noise", frames: frames, input: SyntheticClips.input(s)))
        assertFailures(r, [.motionChangeFromFirstFrame])
    }

    func testAVerySlowPanStillCountsAsMotion() throws {
        let s = SyntheticClips.scene()
        let frames = (0..<16).map { s.render(Camera(panX: 0.1 * Double($0)), noise: 1, noiseSeed: UInt64(300 + $0)) }
        let r = try report(SyntheticClip(name: "slow pan", frames: frames, input: SyntheticClips.input(s)))
        assertFailures(r, [])
    }

    func testABlankLastFrameIsCaughtByTheBlankAndLastFrameChecksOnly() throws {
        let r = try report(SyntheticClips.blankLastFrame())
        assertFailures(r, [.badFrames, .lastFrameDetail])
        XCTAssertEqual(r.series.frameKind.last, "blank")
        // The blank frame is left out of the temporal metrics instead of disturbing them.
        XCTAssertEqual(r.analysis.analysedFrames, Array(0..<15))
    }

    func testABlackFrameInTheMiddleIsReportedOnceAsABadFrame() throws {
        var clip = SyntheticClips.standard
        clip.frames[6] = RGBImage(width: 256, height: 256, fill: (3, 3, 3))
        let r = try report(clip)
        assertFailures(r, [.badFrames])
        XCTAssertEqual(r.series.frameKind[6], "black")
    }

    func testANaNInAFloatFrameFailsTheNaNCheckOnly() throws {
        let f = SyntheticClips.floatFrames(nanFrame: 7)
        let r = try VideoQC.check(floatFrames: f.frames, input: f.input)
        assertFailures(r, [.nonFiniteFrames])
        XCTAssertEqual(r.series.nonFiniteValues?[7], 32 * 32)
        XCTAssertEqual(r.series.frameKind[7], "nonFinite")
        XCTAssertFalse(r.analysis.analysedFrames.contains(7))
    }

    func testAnAllNaNClipFailsTheNaNCheckAndSkipsWhatCannotBeMeasured() throws {
        let frames = (0..<4).map { _ in FloatFrame(width: 64, height: 64, values: Array(repeating: .nan, count: 64 * 64 * 3)) }
        let r = try VideoQC.check(floatFrames: frames, input: RGBImage(width: 64, height: 64, fill: (90, 120, 150)))
        XCTAssertFalse(r.passed)
        XCTAssertEqual(r.failedChecks, [.nonFiniteFrames])
        XCTAssertEqual(r.check(.jitterHighFrequency)?.status, .skipped)
        XCTAssertEqual(r.check(.fidelitySSIM)?.status, .skipped)
        XCTAssertNoThrow(try r.jsonData())
    }

    func testAClipOfAnotherProductFailsFidelityOnly() throws {
        let r = try report(SyntheticClips.unrelated())
        assertFailures(r, [.fidelitySSIM])
    }

    func testARunawayPanFailsTheDisplacementCeilingButIsSmoothSoNotJitter() throws {
        let r = try report(SyntheticClips.runaway())
        assertFailures(r, [.motionDisplacement])
    }

    func testACutInsideTheClipFailsTheDifferenceSpikeAndDoesNotPoisonJitterOrFlicker() throws {
        let r = try report(SyntheticClips.cut())
        assertFailures(r, [.motionDifferenceSpike])
        XCTAssertEqual(r.series.discontinuity.firstIndex(of: true), 7)
    }

    func testThresholdsDecideTheOutcome() throws {
        var lenient = QCThresholds()
        lenient.jitterMaxHighFrequencyRMS = 5
        lenient.jitterMaxSignFlipRate = 1
        assertFailures(try report(SyntheticClips.shaken(), lenient), [])
        var strict = QCThresholds()
        strict.fidelityMinSSIM = 1
        assertFailures(try report(SyntheticClips.standard, strict), [.fidelitySSIM])
    }
}
