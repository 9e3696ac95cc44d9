import Foundation
import Media
import XCTest
@testable import Motion

/// `Planner.plan`: every choice made, with its reason; overrides win; bad names are clear errors.
final class PlannerTests: XCTestCase {
    var planner: Planner!

    override func setUpWithError() throws {
        planner = try Planner.builtIn()
    }

    func testADressTitleGivesTheApparelSwayPlanWithAReasonForEveryChoice() throws {
        let plan = try planner.plan(image: nil, title: "2024夏季新款碎花连衣裙", options: PlanOverrides())
        XCTAssertEqual(plan.engine, .template)
        XCTAssertEqual(plan.category.category, "apparel")
        XCTAssertEqual(plan.templateID, "apparel.sway")
        XCTAssertTrue(plan.prompt.hasPrefix("dress, fabric gently swaying in the breeze"), plan.prompt)
        XCTAssertEqual(plan.product.noun, "dress")
        XCTAssertEqual([plan.width, plan.height], [512, 688])
        XCTAssertEqual([plan.frames, plan.fps, plan.steps], [16, 8, 50])
        XCTAssertEqual(plan.guidance, 9.0)
        XCTAssertEqual(plan.motion.effects.first?.kind, .sway)
        for key in ["engine", "category", "template", "prompt", "negativePrompt", "size", "frames", "fps",
                    "steps", "guidance", "motionStrength", "seed", "output", "motion"] {
            XCTAssertFalse(plan.reasons[key, default: ""].isEmpty, "no reason for \(key)")
        }
        XCTAssertTrue(plan.reasons["seed"]!.contains("random"))
    }

    func testTheSeedsWorkedExamplesGetTheirParameters() throws {
        let coffee = try planner.plan(image: nil, title: "De'Longhi espresso coffee machine", options: PlanOverrides())
        XCTAssertEqual(coffee.templateID, "home_appliances.steam")
        XCTAssertTrue(coffee.prompt.hasPrefix("coffee machine steaming, water flowing"), coffee.prompt)
        let brush = try planner.plan(image: nil, title: "飞利浦电动牙刷 声波震动", options: PlanOverrides())
        XCTAssertEqual(brush.templateID, "home_appliances.vibrate")
        XCTAssertTrue(brush.prompt.contains("electric toothbrush vibrating slightly, showing dynamic effect"), brush.prompt)
        XCTAssertEqual([brush.width, brush.height, brush.frames, brush.steps], [768, 768, 24, 60])
        XCTAssertEqual(brush.guidance, 10.0)
        let cream = try planner.plan(image: nil, title: "兰蔻菁纯面霜", options: PlanOverrides())
        XCTAssertEqual(cream.templateID, "beauty.apply")
        XCTAssertTrue(cream.prompt.contains("hand applying cream smoothly on skin"))
        let phone = try planner.plan(image: nil, title: "Samsung Galaxy S24 Ultra smartphone", options: PlanOverrides())
        XCTAssertEqual(phone.templateID, "digital.orbit")
        XCTAssertTrue(phone.prompt.contains("product rotating slowly, showing all sides"))
    }

    func testAGivenSeedMakesThePlanReproducibleAndItSurvivesJSON() throws {
        let opts = PlanOverrides(seed: 42)
        let a = try planner.plan(image: nil, title: "Nike Air Max running shoes", options: opts)
        let b = try planner.plan(image: nil, title: "Nike Air Max running shoes", options: opts)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.seed, 42)
        XCTAssertEqual(a.reasons["seed"], "seed given explicitly")
        let data = try JSONEncoder().encode(a)
        XCTAssertEqual(try JSONDecoder().decode(GenerationPlan.self, from: data), a)
        let json = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(json.contains("\"engine\":\"template\""), json)
        XCTAssertTrue(json.contains("\"kind\":\"orbit\""), json)
    }

    func testRandomSeedsDifferBetweenPlans() throws {
        let seeds = Set(try (0..<5).map { _ in try planner.plan(image: nil, title: "dress", options: PlanOverrides()).seed })
        XCTAssertGreaterThan(seeds.count, 1)
    }

    func testExplicitChoicesOverrideTheDetection() throws {
        var o = PlanOverrides(category: "beauty", prompt: "custom prompt", frames: 24, fps: 12, seed: 7)
        o.aspect = "16:9"
        o.resolution = 384
        let plan = try planner.plan(image: nil, title: "dress", options: o)
        XCTAssertEqual(plan.category.category, "beauty")
        XCTAssertEqual(plan.category.confidence, 1)
        XCTAssertTrue(plan.category.reasons.first!.contains("given explicitly"))
        XCTAssertTrue(plan.category.reasons.contains { $0.contains("would say apparel") })
        XCTAssertEqual(plan.templateID, "beauty.apply")
        XCTAssertEqual(plan.prompt, "custom prompt")
        XCTAssertEqual([plan.width, plan.height, plan.frames, plan.fps], [688, 384, 24, 12])

        let byTemplate = try planner.plan(image: nil, title: "dress", options: PlanOverrides(template: "digital.reveal"))
        XCTAssertEqual(byTemplate.category.category, "digital")
        XCTAssertEqual(byTemplate.templateID, "digital.reveal")
    }

    func testUnknownNamesAreClearErrorsListingTheValidOnes() {
        XCTAssertThrowsError(try planner.plan(image: nil, title: "x", options: PlanOverrides(category: "cars"))) { e in
            XCTAssertTrue("\(e)".hasPrefix("unknown category 'cars'; valid categories: apparel, digital,"), "\(e)")
            XCTAssertTrue("\(e)".hasSuffix("general"), "\(e)")
        }
        XCTAssertThrowsError(try planner.plan(image: nil, title: "x", options: PlanOverrides(template: "cars.drive"))) { e in
            XCTAssertTrue("\(e)".contains("unknown template 'cars.drive'; valid templates: apparel.sway"), "\(e)")
        }
        XCTAssertThrowsError(try planner.plan(image: nil, title: "x", options: PlanOverrides(category: "toys", template: "apparel.sway"))) { e in
            XCTAssertEqual("\(e)", "template 'apparel.sway' belongs to category 'apparel', not 'toys'")
        }
        XCTAssertThrowsError(try planner.plan(image: nil, title: "x", options: PlanOverrides(frames: 0))) { e in
            XCTAssertEqual("\(e)", "invalid frames '0': expected 1...512")
        }
        XCTAssertThrowsError(try planner.plan(image: nil, title: "x", options: PlanOverrides(aspect: "2:1"))) { e in
            XCTAssertTrue("\(e)".hasPrefix("invalid aspect '2:1': expected one of 1:1, 3:4"), "\(e)")
        }
    }

    func testAnEmptyTitleIsPlannedAsGeneralWithAStatedReason() throws {
        let plan = try planner.plan(image: nil, title: "", options: PlanOverrides())
        XCTAssertEqual(plan.category.category, "general")
        XCTAssertEqual(plan.templateID, "general.push_in")
        XCTAssertTrue(plan.reasons["category"]!.contains("general"))
        XCTAssertTrue(plan.category.reasons.contains("title is empty"))
        XCTAssertEqual(plan.product.noun, "product")
    }

    func testThePhotoSuppliesColourBackgroundAndAspect() throws {
        let image = MotionFixtures.studioProduct(width: 300, height: 400, colour: (200, 30, 40))
        let plan = try planner.plan(image: image, title: "general item", options: PlanOverrides(seed: 1))
        XCTAssertEqual(plan.product.plainBackground, true)
        XCTAssertEqual(plan.product.colours.first?.name, "red", "\(plan.product.colours)")
        XCTAssertTrue(plan.prompt.hasPrefix("red product"), plan.prompt)
        XCTAssertTrue(plan.reasons["size"]!.contains("nearest the photo"), plan.reasons["size"]!)
        XCTAssertEqual(Double(plan.width) / Double(plan.height), 0.75, accuracy: 0.01)
        XCTAssertTrue(plan.category.reasons.contains { $0.contains("plain studio background") })
    }

    func testABusyPhotoDampsMaskDependentMotion() throws {
        let busy = try planner.plan(image: MotionFixtures.busyScene(), title: "dress", options: PlanOverrides(seed: 1))
        let plain = try planner.plan(image: MotionFixtures.studioProduct(), title: "dress", options: PlanOverrides(seed: 1))
        XCTAssertEqual(busy.product.plainBackground, false)
        XCTAssertLessThan(busy.motionStrength, plain.motionStrength)
        XCTAssertTrue(busy.reasons["motionStrength"]!.contains("busy background"))
    }

    func testAutoEngineUsesDiffusionWhenWeightsExistOnTheModelGrid() throws {
        let withWeights = try Planner.builtIn(diffusionAvailable: true)
        let plan = try withWeights.plan(image: nil, title: "dress", options: PlanOverrides(engine: .auto))
        XCTAssertEqual(plan.engine, .i2vgenXL)
        XCTAssertEqual(plan.width % 64, 0)
        XCTAssertEqual(plan.height % 64, 0)
        XCTAssertTrue(plan.reasons["engine"]!.contains("installed"))
        let forced = try withWeights.plan(image: nil, title: "dress", options: PlanOverrides(engine: .template))
        XCTAssertEqual(forced.engine, .template)
    }

    func testExplicitDiffusionSizesNeedOnlyBeMultiplesOf8() throws {
        let plan = try planner.plan(image: nil, title: "dress", options: PlanOverrides(engine: .i2vgenXL, width: 520, height: 360))
        XCTAssertEqual([plan.width, plan.height], [520, 360])
        XCTAssertThrowsError(try planner.plan(image: nil, title: "dress", options: PlanOverrides(engine: .i2vgenXL, width: 516, height: 360))) { error in
            XCTAssertTrue("\(error)".contains("width"), "\(error)")
            XCTAssertTrue("\(error)".contains("multiple of 8"), "\(error)")
        }
    }
}
