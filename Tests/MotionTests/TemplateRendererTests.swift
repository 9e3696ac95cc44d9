import Foundation
import Media
import XCTest
@testable import Motion

/// The procedural renderer: sizes, determinism, loops, anti-aliasing, every motion, bad input.
final class TemplateRendererTests: XCTestCase {
    func plan(_ effects: [MotionEffect], width: Int = 96, height: Int = 96, frames: Int = 8, seed: UInt64 = 3,
              loop: Bool = true, strength: Double = 1) -> GenerationPlan {
        GenerationPlan(engine: .template, category: CategoryDecision(category: "general", confidence: 1, reasons: []),
                       templateID: "test", title: "", product: ProductAttributes(noun: "product"), prompt: "", negativePrompt: "",
                       width: width, height: height, frames: frames, fps: 8, steps: 50, guidance: 9, motionStrength: strength,
                       seed: seed, output: OutputOptions(), motion: MotionSpec(effects: effects, loop: loop), reasons: [:])
    }

    static func mae(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        var s = 0
        for i in 0..<a.pixels.count { s += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(s) / Double(a.pixels.count)
    }

    static let allMotions: [MotionEffect] = [
        MotionEffect(kind: .pushIn, amount: 0.12),
        MotionEffect(kind: .pullOut, amount: 0.12),
        MotionEffect(kind: .pan, amount: 0.06, direction: 0),
        MotionEffect(kind: .orbit, amount: 0.04, cycles: 1),
        MotionEffect(kind: .sway, amount: 0.03, cycles: 1, region: 0.3),
        MotionEffect(kind: .lightSweep, amount: 0.4, direction: 30),
        MotionEffect(kind: .vibrate, amount: 0.004, cycles: 4),
        MotionEffect(kind: .float, amount: 0.03, cycles: 1),
    ]

    func testFramesHaveTheRequestedCountAndSizeForAnyShape() throws {
        let image = MotionFixtures.studioProduct(width: 200, height: 260)
        for (w, h, n) in [(96, 128, 5), (160, 90, 3), (64, 64, 1)] {
            let frames = try TemplateRenderer.render(plan: plan([MotionEffect(kind: .pushIn, amount: 0.1)], width: w, height: h, frames: n), image: image)
            XCTAssertEqual(frames.count, n)
            XCTAssertTrue(frames.allSatisfy { $0.width == w && $0.height == h })
        }
    }

    func testRenderingIsDeterministicForASeedAndTheSeedMatters() throws {
        let image = MotionFixtures.studioProduct()
        let effects = [MotionEffect(kind: .orbit, amount: 0.04, cycles: 1, randomDirection: true),
                       MotionEffect(kind: .lightSweep, amount: 0.3, direction: 30, randomDirection: true)]
        let a = try TemplateRenderer.render(plan: plan(effects, seed: 11), image: image)
        let b = try TemplateRenderer.render(plan: plan(effects, seed: 11), image: image)
        XCTAssertEqual(a, b)
        let others = try (12..<20).map { try TemplateRenderer.render(plan: plan(effects, seed: UInt64($0)), image: image) }
        XCTAssertTrue(others.contains { $0 != a }, "some seed must change the motion")
    }

    func testEveryMotionMovesAndLoopsBackToItsFirstFrame() throws {
        let image = MotionFixtures.studioProduct()
        for effect in Self.allMotions {
            let frames = try TemplateRenderer.render(plan: plan([effect], frames: 12), image: image)
            let steps = zip(frames, frames.dropFirst()).map { Self.mae($0, $1) }
            let wrap = Self.mae(frames.last!, frames.first!)
            XCTAssertGreaterThan(steps.max()!, 0.05, "\(effect.kind) does not move")
            // Continuity: wrapping from the last frame to the first is no bigger a jump than a step.
            XCTAssertLessThanOrEqual(wrap, steps.max()! * 1.5 + 0.05, "\(effect.kind) loop seam \(wrap) vs steps \(steps)")
        }
    }

    func testTheFirstFrameIsThePhotoForMotionsThatStartAtRest() throws {
        let image = MotionFixtures.studioProduct(width: 96, height: 96)
        let still = try TemplateRenderer.render(plan: plan([MotionEffect(kind: .pushIn, amount: 0.1)], frames: 1, strength: 0), image: image)[0]
        XCTAssertLessThan(Self.mae(still, image), 0.5, "a same-size still reproduces the photo")
        for kind: MotionKind in [.pushIn, .orbit, .sway, .float, .vibrate, .pan] {
            let effect = Self.allMotions.first { $0.kind == kind }!
            let first = try TemplateRenderer.render(plan: plan([effect], frames: 8), image: image)[0]
            XCTAssertLessThan(Self.mae(first, image), 0.5, "\(kind)")
        }
    }

    func testMinifyingAFinePatternDoesNotAlias() throws {
        // A one-pixel checkerboard shrunk 4× must come out as flat grey, not moiré.
        var board = RGBImage(width: 384, height: 384)
        for y in 0..<384 { for x in 0..<384 where (x + y) % 2 == 0 {
            let i = board.index(x: x, y: y); board.pixels[i] = 255; board.pixels[i + 1] = 255; board.pixels[i + 2] = 255
        } }
        let frames = try TemplateRenderer.render(plan: plan([MotionEffect(kind: .pushIn, amount: 0.15)], frames: 4), image: board)
        for f in frames {
            let values = f.pixels.map(Double.init)
            XCTAssertLessThan(values.map { abs($0 - 127.5) }.max()!, 6, "aliasing in a minified checkerboard")
        }
    }

    func testBusyPhotosRenderWithoutRevealingEdges() throws {
        let frames = try TemplateRenderer.render(plan: plan([MotionEffect(kind: .pan, amount: 0.08), MotionEffect(kind: .orbit, amount: 0.04, cycles: 1)], frames: 6),
                                                 image: MotionFixtures.busyScene())
        XCTAssertEqual(frames.count, 6)
        XCTAssertGreaterThan(Self.mae(frames[0], frames[2]), 0.5)
    }

    func testProgressIsReportedForEveryFrameAndCancellationStops() throws {
        let image = MotionFixtures.studioProduct(width: 64, height: 64)
        let seen = Counter()
        _ = try TemplateRenderer.render(plan: plan([MotionEffect(kind: .pushIn, amount: 0.1)], frames: 6), image: image,
                                        progress: { done, total in seen.add(done, total) })
        XCTAssertEqual(seen.values.sorted(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(seen.totals, [6])
        XCTAssertThrowsError(try TemplateRenderer.render(plan: plan([MotionEffect(kind: .pushIn, amount: 0.1)], frames: 6), image: image,
                                                         isCancelled: { true })) { e in
            XCTAssertEqual(e as? MotionError, .cancelled)
        }
    }

    func testImagesThatCannotBeFittedAreClearErrors() {
        let p = plan([MotionEffect(kind: .pushIn, amount: 0.1)], width: 512, height: 512)
        XCTAssertThrowsError(try TemplateRenderer.render(plan: p, image: RGBImage(width: 8, height: 8))) { e in
            XCTAssertEqual("\(e)", "cannot fit image 8x8: sides must be at least 16 pixels")
        }
        XCTAssertThrowsError(try TemplateRenderer.render(plan: p, image: RGBImage(width: 20, height: 400))) { e in
            XCTAssertTrue("\(e)".contains("aspect differs from the 512x512 frame's by more than 4x"), "\(e)")
        }
        XCTAssertThrowsError(try TemplateRenderer.render(plan: p, image: RGBImage(width: 20, height: 20))) { e in
            XCTAssertTrue("\(e)".contains("would upscale it 26x"), "\(e)")
        }
        var bad = p
        bad.width = 0
        XCTAssertThrowsError(try TemplateRenderer.render(plan: bad, image: RGBImage(width: 64, height: 64))) { e in
            XCTAssertEqual("\(e)", "invalid width '0': expected an even number in 16...4096")
        }
    }

    func testAPlannedVideoRendersEndToEnd() throws {
        let planner = try Planner.builtIn()
        let image = MotionFixtures.studioProduct(width: 240, height: 320)
        var o = PlanOverrides(seed: 5)
        o.resolution = 128
        let p = try planner.plan(image: image, title: "碎花连衣裙", options: o)
        let frames = try TemplateRenderer.render(plan: p, image: image)
        XCTAssertEqual(frames.count, p.frames)
        XCTAssertEqual(frames[0].width, p.width)
        XCTAssertEqual(try TemplateRenderer.render(plan: p, image: image), frames, "re-running a plan reproduces it")
    }
}

/// Thread-safe recorder for progress callbacks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Int] = []
    private(set) var totals: Set<Int> = []
    func add(_ v: Int, _ total: Int) {
        lock.lock(); values.append(v); totals.insert(total); lock.unlock()
    }
}
