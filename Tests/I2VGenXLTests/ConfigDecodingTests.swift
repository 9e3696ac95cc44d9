import Foundation
import I2VGenXL
import ModelIO
import XCTest

/// Component configs decode from the files diffusers/transformers write (unknown keys ignored,
/// absent keys at the libraries' defaults) and a wrong-typed value fails naming file and key.
final class ConfigDecodingTests: XCTestCase {
    let real = Fixtures.path("real-config", "model")

    func testRealConfigsDecodeToThePublishedValues() throws {
        let dir = try ModelDirectory(path: real)
        let text = try ComponentLoader.config(CLIPTextConfig.self, in: dir, component: "text_encoder")
        XCTAssertEqual([text.hiddenSize, text.numHiddenLayers, text.numAttentionHeads, text.intermediateSize], [1024, 24, 16, 4096])
        XCTAssertEqual(text.hiddenAct, "gelu")
        let vision = try ComponentLoader.config(CLIPVisionConfig.self, in: dir, component: "image_encoder")
        XCTAssertEqual([vision.hiddenSize, vision.numHiddenLayers, vision.patchSize, vision.projectionDim, vision.numPositions],
                       [1280, 32, 14, 1024, 257])
        let vae = try ComponentLoader.config(AutoencoderKLConfig.self, in: dir, component: "vae")
        XCTAssertEqual(vae.blockOutChannels, [128, 256, 512, 512])
        XCTAssertEqual(vae.scalingFactor, 0.18125)
        XCTAssertEqual(vae.scaleFactor, 8)
        XCTAssertNil(vae.shiftFactor)
        let scheduler = try DDIMScheduler.load(from: dir)
        XCTAssertEqual(scheduler.predictionType, .vPrediction)
        XCTAssertEqual(scheduler.config.stepsOffset, 1)
        XCTAssertTrue(scheduler.config.rescaleBetasZeroSnr)
        let processor = try CLIPImageProcessorConfig.load(from: dir)
        XCTAssertEqual([processor.cropWidth, processor.cropHeight], [224, 224])
        XCTAssertEqual(processor.imageStd[2], 0.27577711)
    }

    func testAbsentKeysTakeTheLibraryDefaults() throws {
        let empty = Array("{}".utf8)
        let vision = try ConfigFile.decode(CLIPVisionConfig.self, from: empty, file: "config.json")
        XCTAssertEqual(vision.hiddenAct, "quick_gelu")
        XCTAssertEqual(vision.patchSize, 32)
        let scheduler = try ConfigFile.decode(DDIMSchedulerConfig.self, from: empty, file: "scheduler_config.json")
        XCTAssertEqual(scheduler.betaSchedule, "linear")
        XCTAssertTrue(scheduler.clipSample)
        XCTAssertEqual(scheduler.timestepSpacing, "leading")
        let vae = try ConfigFile.decode(AutoencoderKLConfig.self, from: empty, file: "config.json")
        XCTAssertEqual(vae.blockOutChannels, [64])
        XCTAssertEqual(vae.scalingFactor, 0.18215)
        let processor = try ConfigFile.decode(CLIPImageProcessorConfig.self, from: Array(#"{"crop_size": 32}"#.utf8), file: "p.json")
        XCTAssertEqual([processor.cropWidth, processor.cropHeight], [32, 32])
    }

    func testWrongTypedValueNamesFileAndKey() {
        let bad = Array(#"{"block_out_channels": [128, "256"]}"#.utf8)
        XCTAssertThrowsError(try ConfigFile.decode(AutoencoderKLConfig.self, from: bad, file: "vae/config.json")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("vae/config.json") && message.contains("block_out_channels"), message)
        }
        let act = Array(#"{"hidden_act": 3}"#.utf8)
        XCTAssertThrowsError(try ConfigFile.decode(CLIPTextConfig.self, from: act, file: "text_encoder/config.json")) { error in
            XCTAssertTrue("\(error)".contains("hidden_act"), "\(error)")
        }
    }

    func testUnsupportedStructureIsRejectedByField() throws {
        var vae = AutoencoderKLConfig()
        vae.downBlockTypes = ["AttnDownEncoderBlock2D"]
        XCTAssertThrowsError(try vae.validate()) { XCTAssertTrue("\($0)".contains("down_block_types"), "\($0)") }
        vae = AutoencoderKLConfig()
        vae.normNumGroups = 7
        XCTAssertThrowsError(try vae.validate()) { XCTAssertTrue("\($0)".contains("norm_num_groups"), "\($0)") }
        XCTAssertThrowsError(try Activation(configName: "relu6", field: "hidden_act")) {
            XCTAssertTrue("\($0)".contains("hidden_act"), "\($0)")
        }
    }
}
