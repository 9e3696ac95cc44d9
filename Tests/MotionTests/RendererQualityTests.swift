import Foundation
import Media
import Quality
import XCTest
@testable import Motion

/// The renderer's clips must pass the delivery QC (Sources/Quality): no jitter, no flicker, the
/// first frame faithful to the photo, sharp, moving but not too much.
final class RendererQualityTests: XCTestCase {
    func qc(_ plan: GenerationPlan, _ image: RGBImage) throws -> QCReport {
        let frames = try TemplateRenderer.render(plan: plan, image: image)
        return try VideoQC.check(frames: frames, input: image)
    }

    func summary(_ r: QCReport) -> String {
        r.failures.joined(separator: "; ")
    }

    func testEveryBuiltInTemplatePassesQC() throws {
        let planner = try Planner.builtIn()
        let image = MotionFixtures.studioProduct(width: 256, height: 256, colour: (40, 90, 170))
        for t in try TemplateLibrary.builtIn().templates {
            let p = try planner.plan(image: image, title: "", options: PlanOverrides(template: t.id, width: 256, height: 256, frames: 16, seed: 21))
            let r = try qc(p, image)
            XCTAssertTrue(r.passed, "\(t.id): \(summary(r))")
        }
    }

    /// Each motion at the amplitude the templates use at motion strength 1. Translations that
    /// oscillate once per loop stay under ~0.8 % of the short side (subtle product motion; the
    /// QC's local cubic path smoothing follows such a curve even over 8 frames).
    static let templateMotions: [MotionEffect] = [
        MotionEffect(kind: .pushIn, amount: 0.08),
        MotionEffect(kind: .pullOut, amount: 0.08),
        MotionEffect(kind: .pan, amount: 0.016, direction: 0),
        MotionEffect(kind: .orbit, amount: 0.008, cycles: 1),
        MotionEffect(kind: .sway, amount: 0.028, cycles: 1, region: 0.4),
        MotionEffect(kind: .lightSweep, amount: 0.3, direction: 30),
        MotionEffect(kind: .vibrate, amount: 0.003, cycles: 4),
        MotionEffect(kind: .float, amount: 0.008, cycles: 1),
    ]

    func testEachMotionAloneAndCombinedPassesQC() throws {
        let image = MotionFixtures.studioProduct(width: 256, height: 256, colour: (170, 60, 40))
        let planner = try Planner.builtIn()
        let base = try planner.plan(image: image, title: "", options: PlanOverrides(width: 256, height: 256, frames: 16, seed: 4))
        // Vibrate alone is a pulsing blur too subtle to count as motion at the coarse scale QC
        // measures it: the templates always pair it with a camera move (checked below), and alone
        // it must fail exactly the motion floor.
        let vibrateOnly = try qc({ var p = base; p.motion = MotionSpec(effects: Self.templateMotions.filter { $0.kind == .vibrate }); p.motionStrength = 1; return p }(), image)
        XCTAssertEqual(vibrateOnly.failedChecks.map(\.rawValue), ["motion.changeFromFirstFrame"], summary(vibrateOnly))
        let singles: [[MotionEffect]] = Self.templateMotions.filter { $0.kind != .vibrate }.map { [$0] }
        let combined: [[MotionEffect]] = [Self.templateMotions.filter { [.pushIn, .sway, .lightSweep].contains($0.kind) },
                                          Self.templateMotions.filter { [.orbit, .float, .lightSweep].contains($0.kind) },
                                          Self.templateMotions.filter { [.vibrate, .pushIn].contains($0.kind) }]
        for effects in singles + combined {
            var p = base
            p.motion = MotionSpec(effects: effects)
            p.motionStrength = 1
            let r = try qc(p, image)
            XCTAssertTrue(r.passed, "\(effects.map(\.kind.rawValue)): \(summary(r))")
        }
    }

    func testABusyPhotoPassesQC() throws {
        let image = MotionFixtures.busyScene(width: 320, height: 240)
        let planner = try Planner.builtIn()
        let p = try planner.plan(image: image, title: "布艺沙发", options: PlanOverrides(width: 320, height: 240, frames: 16, seed: 8))
        XCTAssertEqual(p.templateID, "furniture.room")
        let r = try qc(p, image)
        XCTAssertTrue(r.passed, summary(r))
    }
}
