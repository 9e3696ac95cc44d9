import XCTest
@testable import ModelIO

/// Locating the components of a diffusers pipeline folder.
final class ModelDirectoryTests: TempDirTestCase {
    private let index = """
        {"_class_name": "I2VGenXLPipeline", "_diffusers_version": "0.33.1",
         "feature_extractor": ["transformers", "CLIPImageProcessor"],
         "image_encoder": ["transformers", "CLIPVisionModelWithProjection"],
         "scheduler": ["diffusers", "DDIMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
         "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "I2VGenXLUNet"],
         "vae": ["diffusers", "AutoencoderKL"], "safety_checker": [null, null]}
        """

    func testReadsTheModelIndex() throws {
        let path = try write(index, to: "m/model_index.json")
        let parsed = try ModelIndex.read(path)
        XCTAssertEqual(parsed.pipelineClass, "I2VGenXLPipeline")
        XCTAssertEqual(parsed.diffusersVersion, "0.33.1")
        XCTAssertEqual(parsed.components.map(\.name),
                       ["feature_extractor", "image_encoder", "scheduler", "text_encoder", "tokenizer", "unet", "vae"])
        XCTAssertEqual(parsed.component("unet"), .init(name: "unet", library: "diffusers", className: "I2VGenXLUNet"))
        XCTAssertNil(parsed.component("safety_checker"))
    }

    func testABadModelIndexIsNamed() throws {
        let path = try write(#"{"unet": ["diffusers", 3]}"#, to: "m/model_index.json")
        XCTAssertEqual(expectModelIOError { _ = try ModelIndex.read(path) },
                       .invalidJSON(file: path, key: "unet", detail: "must be [library, class] strings"))
    }

    func testAMissingComponentSaysWhatTheFolderShouldBe() throws {
        try write(index, to: "i2vgen-xl/model_index.json")
        try write("{}", to: "i2vgen-xl/vae/config.json")
        let models = try ModelDirectory(path: dir + "/i2vgen-xl/")
        XCTAssertEqual(models.path, dir + "/i2vgen-xl")
        XCTAssertEqual(try models.component("vae"), dir + "/i2vgen-xl/vae")
        XCTAssertEqual(try models.config("vae"), dir + "/i2vgen-xl/vae/config.json")
        let error = expectModelIOError { _ = try models.component("unet") }
        XCTAssertEqual(error?.description,
                       "\(dir)/i2vgen-xl: missing unet/ (expected the ali-vilab/i2vgen-xl diffusers folder; see scripts/download_weights.sh)")
        XCTAssertNotNil(expectModelIOError { try models.requireComponents() })
        XCTAssertNotNil(expectModelIOError { _ = try models.config("text_encoder") })
        try FileManager.default.createDirectory(atPath: dir + "/i2vgen-xl/unet", withIntermediateDirectories: true)
        XCTAssertEqual(expectModelIOError { _ = try models.config("unet") }?.description,
                       "\(dir)/i2vgen-xl/unet/config.json: not found (expected the config.json of the unet component)")
    }

    func testAMissingFolderIsNamed() {
        let error = expectModelIOError { _ = try ModelDirectory(path: self.dir + "/nothing") }
        XCTAssertEqual(error, .missingDirectory(path: dir + "/nothing", hint: ModelDirectory.i2vgenXLHint))
        XCTAssertEqual(error?.description,
                       "\(dir)/nothing: no such folder (expected the ali-vilab/i2vgen-xl diffusers folder; see scripts/download_weights.sh)")
    }

    func testWithoutAnIndexTheSubfoldersAreTheComponents() throws {
        try write("{}", to: "p/vae/config.json")
        try write("{}", to: "p/unet/config.json")
        try write("x", to: "p/README.md")
        let models = try ModelDirectory(path: dir + "/p")
        XCTAssertNil(models.index)
        XCTAssertEqual(models.componentNames, ["unet", "vae"])
    }
}
