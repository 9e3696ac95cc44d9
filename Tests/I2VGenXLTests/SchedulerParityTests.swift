@testable import I2VGenXL
import ModelIO
import Tensor
import XCTest

/// The DDIM scheduler reproduces diffusers' DDIMScheduler step by step (PARITY.md bound 1e-5),
/// for the real config and the variants in Tests/Fixtures/scheduler.
final class SchedulerParityTests: XCTestCase {
    let folder = Fixtures.path("scheduler")

    func testEverySchedulerFixtureMatchesDiffusers() throws {
        let cases = Fixtures.cases(in: folder)
        XCTAssertFalse(cases.isEmpty, "no scheduler fixtures under \(folder)")
        for name in cases {
            let dir = folder + "/" + name
            let out = try runParity("scheduler", model: dir + "/model", inputs: dir + "/scheduler.in.safetensors")
            let ref = try SafetensorsFile(path: dir + "/scheduler.out.safetensors")
            XCTAssertEqual(try out.require("timesteps").ints(), try ref.require("timesteps").ints(), "\(name): timesteps")
            XCTAssertEqual(try out.require("timesteps").dtype, .int64)
            try assertParity(out, reference: dir + "/scheduler.out.safetensors",
                             names: ["timesteps", "prev_samples"], bound: 1e-5, label: "scheduler/\(name)")
        }
    }

    /// ᾱ is bit-identical to torch's for every fixture config (the real config through the
    /// dumped torch table, the others computed).
    func testAlphasCumprodMatchTorchBitForBit() throws {
        for name in Fixtures.cases(in: folder) {
            let dir = try ModelDirectory(path: folder + "/" + name + "/model")
            let scheduler = try DDIMScheduler.load(from: dir)
            let ref = try SafetensorsFile(path: folder + "/" + name + "/scheduler.out.safetensors")
            let want = try ref.require("alphas_cumprod").floats()
            let got = scheduler.schedule.alphasCumprod
            let mismatches = zip(got, want).filter { $0 != $1 }.count
            let err = relativeError(got, want)
            print("scheduler/\(name) alphas_cumprod: \(mismatches) of \(want.count) differ, relative error \(err)")
            XCTAssertEqual(mismatches, 0, "\(name): alphas_cumprod differs from torch's in \(mismatches) places")
            XCTAssertEqual(scheduler.finalAlphaCumprod, try ref.require("final_alpha_cumprod").floats()[0], "\(name)")
        }
    }

    /// The computed zero-SNR cosine schedule agrees with torch's dumped table to 1e-6 (the
    /// residue is torch's MKL square root, which is not correctly rounded on every CPU).
    func testComputedRealScheduleAgreesWithTorchTable() throws {
        var config = DDIMSchedulerConfig()
        config.betaSchedule = "squaredcos_cap_v2"
        config.rescaleBetasZeroSnr = true
        let schedule = try NoiseSchedule(config: config)
        let computed = NoiseSchedule.computedAlphasCumprod(schedule.betas)
        let err = relativeError(computed, schedule.alphasCumprod)
        print("computed vs torch-table alphas_cumprod: relative error \(err)")
        XCTAssertLessThanOrEqual(err, 1e-6)
        XCTAssertEqual(computed.last, 0)
    }

    func testRealConfigTimestepsAndTerminalSNR() throws {
        var config = DDIMSchedulerConfig()
        config.betaSchedule = "squaredcos_cap_v2"
        config.rescaleBetasZeroSnr = true
        config.predictionType = "v_prediction"
        config.clipSample = false
        config.stepsOffset = 1
        let scheduler = try DDIMScheduler(config: config)
        try scheduler.setTimesteps(50)
        XCTAssertEqual(scheduler.timesteps.first, 981)
        XCTAssertEqual(scheduler.timesteps.last, 1)
        XCTAssertEqual(scheduler.timesteps.count, 50)
        XCTAssertEqual(scheduler.schedule.alphasCumprod[999], 0)
        XCTAssertEqual(scheduler.schedule.betas[999], 1)
    }

    func testUnsupportedConfigValuesAreRejectedByName() {
        var config = DDIMSchedulerConfig()
        config.betaSchedule = "sigmoid"
        XCTAssertThrowsError(try DDIMScheduler(config: config)) { error in
            XCTAssertTrue("\(error)".contains("beta_schedule"), "\(error)")
        }
        config = DDIMSchedulerConfig()
        config.predictionType = "flow"
        XCTAssertThrowsError(try DDIMScheduler(config: config)) { error in
            XCTAssertTrue("\(error)".contains("prediction_type"), "\(error)")
        }
    }
}
