import XCTest
@testable import ModelIO

/// config.json decoding: unknown keys ignored, wrong types named with their key path.
final class ConfigFileTests: TempDirTestCase {
    struct VAEConfig: Decodable, Equatable {
        let block_out_channels: [Int]
        let latent_channels: Int
        let scaling_factor: Float
        let act_fn: String
        let sample_size: Int?
    }

    struct NestedConfig: Decodable {
        struct Block: Decodable { let channels: Int }
        let blocks: [Block]
    }

    private let vae = """
        {"_class_name": "AutoencoderKL", "_diffusers_version": "0.33.1", "act_fn": "silu",
         "block_out_channels": [128, 256, 512, 512], "latent_channels": 4, "scaling_factor": 0.18215,
         "force_upcast": true, "norm_num_groups": 32}
        """

    func testDecodesAndIgnoresUnknownKeys() throws {
        let path = try write(vae, to: "vae/config.json")
        let config = try ConfigFile.decode(VAEConfig.self, from: path)
        XCTAssertEqual(config, VAEConfig(block_out_channels: [128, 256, 512, 512], latent_channels: 4,
                                         scaling_factor: 0.18215, act_fn: "silu", sample_size: nil))
    }

    private func message(_ json: String, _ type: (some Decodable).Type = VAEConfig.self) -> String? {
        let path = dir + "/vae/config.json"
        do {
            try write(json, to: "vae/config.json")
            _ = try ConfigFile.decode(type, from: path)
            XCTFail("expected a decoding failure")
        } catch let error as ModelIOError {
            return error.description.replacingOccurrences(of: dir + "/", with: "")
        } catch {
            XCTFail("unexpected \(error)")
        }
        return nil
    }

    func testAnArrayElementOfTheWrongTypeNamesTheArray() {
        let json = vae.replacingOccurrences(of: "[128, 256, 512, 512]", with: "[128, 256, \"512\", 512]")
        XCTAssertEqual(message(json), "vae/config.json: key 'block_out_channels' must be an array of integers (element 2 is a string)")
    }

    func testAValueOfTheWrongTypeNamesKeyAndExpectedType() {
        XCTAssertEqual(message(vae.replacingOccurrences(of: "\"latent_channels\": 4", with: "\"latent_channels\": \"four\"")),
                       "vae/config.json: key 'latent_channels' must be an integer, not a string")
        XCTAssertEqual(message(vae.replacingOccurrences(of: "[128, 256, 512, 512]", with: "128")),
                       "vae/config.json: key 'block_out_channels' must be an array, not a number")
        XCTAssertEqual(message(vae.replacingOccurrences(of: "\"silu\"", with: "null")),
                       "vae/config.json: key 'act_fn' must be a string, not null")
    }

    func testAMissingKeyIsNamed() {
        XCTAssertEqual(message(vae.replacingOccurrences(of: "\"latent_channels\": 4,", with: "")),
                       "vae/config.json: key 'latent_channels' is missing")
    }

    func testNestedPathsAreSpelledOut() {
        XCTAssertEqual(message(#"{"blocks": [{"channels": 1}, {"channels": true}]}"#, NestedConfig.self),
                       "vae/config.json: key 'blocks[1].channels' must be an integer, not a boolean")
        XCTAssertEqual(message(#"{"blocks": [{"channels": 1}, {}]}"#, NestedConfig.self),
                       "vae/config.json: key 'blocks[1].channels' is missing")
    }

    func testInvalidJSONAndMissingFilesAreNamed() {
        let bad = message("{\"act_fn\": \"silu\",}")
        XCTAssertTrue(bad?.hasPrefix("vae/config.json: is not valid JSON") ?? false, bad ?? "")
        let path = dir + "/unet/config.json"
        XCTAssertEqual(expectModelIOError { _ = try ConfigFile.decode(VAEConfig.self, from: path) },
                       .missingFile(path: path, expected: "a config.json"))
    }
}
