import Foundation
import Media
import Quality
import XCTest
@testable import Motion

/// Every built-in template must pass the delivery QC at every clip length the UI offers, short
/// clips included: an 8-frame loop plays each oscillation over 8 frames, which is still smooth
/// motion and must not be reported as camera shake.
final class TemplateClipLengthQCTests: XCTestCase {
    func testEveryTemplateAt8_16And24FramesPassesQC() throws {
        let planner = try Planner.builtIn()
        let image = MotionFixtures.studioProduct(width: 240, height: 240, colour: (40, 90, 170))
        var failures: [String] = []
        for t in try TemplateLibrary.builtIn().templates {
            for frames in [8, 16, 24] {
                for seed: UInt64 in [3, 21] {
                    let plan = try planner.plan(image: image, title: "", options: PlanOverrides(template: t.id, resolution: 192, frames: frames, seed: seed))
                    let clip = try TemplateRenderer.render(plan: plan, image: image)
                    XCTAssertEqual(clip.count, frames)
                    // QC compares with the photo framed as the clip (the server's template engine does the same).
                    var still = plan
                    still.frames = 1
                    still.motionStrength = 0
                    let framed = try TemplateRenderer.render(plan: still, image: image)[0]
                    let report = try VideoQC.check(frames: clip, input: framed)
                    if !report.passed {
                        failures.append("\(t.id) × \(frames) frames, seed \(seed): \(report.failures.joined(separator: "; "))")
                    }
                }
            }
        }
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }
}
