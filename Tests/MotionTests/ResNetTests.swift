import Foundation
import Media
import ModelIO
import Tensor
import XCTest
@testable import Motion

/// ResNet (torchvision Bottleneck structure, batch norm folded at load) against torchvision in
/// eval mode with random weights and random batch-norm statistics. The committed fixture is a
/// tiny-width network with ResNet-50's block structure ([3, 4, 6, 3], expansion 4), made by
/// `scripts/convert_resnet50.py --fixture`.
final class ResNetTests: XCTestCase {
    let folder = MotionFixtures.fixturesDirectory.appendingPathComponent("resnet_tiny").path

    func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        let scale = max(1e-6, b.map(abs).max() ?? 1)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    func testTinyResNetMatchesTorchvision() throws {
        let backend = CPUBackend()
        let net = try ResNet(directory: folder, backend: backend)
        XCTAssertEqual(net.config.blocks, [3, 4, 6, 3])
        let io = try SafetensorsFile(path: folder + "/io.safetensors")
        let x = try io.require("input").tensor(on: backend)  // x: [2, 3, 67, 53]
        let expectedLayer1 = backend.toHost(try io.require("layer1").tensor(on: backend))
        let expectedLogits = backend.toHost(try io.require("logits").tensor(on: backend))

        let layer1 = net.layer1Features(x)
        XCTAssertEqual(layer1.shape, [2, 16, 17, 14])
        XCTAssertLessThan(maxRelativeError(backend.toHost(layer1), expectedLayer1), 1e-4)

        let logits = net.logits(x)
        XCTAssertEqual(logits.shape, [2, 10])
        XCTAssertLessThan(maxRelativeError(backend.toHost(logits), expectedLogits), 1e-4)
    }

    /// The full-width ResNet-50 with random weights (about 100 MB, not committed): made by
    /// `scripts/convert_resnet50.py --fixture DIR --full`, run when I2V_RESNET50_FIXTURE=DIR.
    func testFullResNet50MatchesTorchvision() throws {
        guard let dir = ProcessInfo.processInfo.environment["I2V_RESNET50_FIXTURE"] else {
            throw XCTSkip("set I2V_RESNET50_FIXTURE to a folder made by convert_resnet50.py --fixture DIR --full")
        }
        let backend = CPUBackend()
        let net = try ResNet(directory: dir, backend: backend)
        XCTAssertEqual(net.config, .resnet50)
        let io = try SafetensorsFile(path: dir + "/io.safetensors")
        let x = try io.require("input").tensor(on: backend)  // x: [1, 3, 224, 224]
        let logits = backend.toHost(net.logits(x))
        let expected = backend.toHost(try io.require("logits").tensor(on: backend))
        let err = maxRelativeError(logits, expected)
        print("ResNet-50 (random weights) max relative logit error vs torchvision: \(err)")
        XCTAssertLessThan(err, 1e-4)
    }

    func testMissingWeightsAreAClearError() {
        XCTAssertThrowsError(try ResNet(directory: "/nonexistent/resnet50", backend: CPUBackend())) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/resnet50"), "\(e)")
        }
        XCTAssertNil(try ResNetImageClassifier.loadIfInstalled(directory: "/nonexistent/resnet50", backend: CPUBackend()),
                     "without installed weights the classifier is simply absent")
    }

    func testTheImageNetMapOnlyNamesKnownCategories() throws {
        let map = try ImageNetCategoryMap.builtIn()
        let valid = Set(try CategoryVocabulary.builtIn().categories.map(\.id))
        XCTAssertGreaterThan(map.categories.count, 200)
        for (i, c) in map.categories {
            XCTAssertTrue((0..<1000).contains(i))
            XCTAssertTrue(valid.contains(c), "class \(i) maps to unknown category \(c)")
        }
        XCTAssertEqual(map.categories[487], "digital", "cellular telephone")
        XCTAssertEqual(map.categories[550], "home_appliances", "espresso maker")
        XCTAssertEqual(map.categories[770], "shoes", "running shoe")
    }

    func testClassifierEvidenceIsAProbabilityPerCategory() throws {
        let backend = CPUBackend()
        let net = try ResNet(directory: folder, backend: backend)
        let classifier = ResNetImageClassifier(network: net, classCategory: [0: "apparel", 1: "apparel", 2: "toys"],
                                               labels: [0: "a", 1: "b", 2: "c"])
        let ev = try classifier.categoryEvidence(for: MotionFixtures.studioProduct(width: 120, height: 90))
        XCTAssertEqual(Set(ev.scores.keys), ["apparel", "toys"])
        XCTAssertLessThanOrEqual(ev.scores.values.reduce(0, +), 1.0001)
        XCTAssertEqual(ev.topLabels.count, 3)
        XCTAssertGreaterThanOrEqual(ev.topLabels[0].probability, ev.topLabels[1].probability)
    }

    /// A classifier stand-in that is sure the photo shows a shoe.
    struct ShoeClassifier: ImageCategoryClassifier {
        func categoryEvidence(for image: RGBImage) throws -> ImageClassifierEvidence {
            ImageClassifierEvidence(scores: ["shoes": 0.9], topLabels: [LabelScore(label: "running shoe", probability: 0.9)])
        }
    }

    func testImageEvidenceDecidesWhenTheTitleCannot() throws {
        let detector = try CategoryDetector.builtIn(imageClassifier: ShoeClassifier())
        let image = MotionFixtures.studioProduct()
        let d = detector.detect(title: "新品上市", image: image)
        XCTAssertEqual(d.decision.category, "shoes")
        XCTAssertTrue(d.decision.reasons.contains { $0.contains("image classifier: 'running shoe'") }, "\(d.decision.reasons)")
        // A clear title still wins over the image.
        XCTAssertEqual(detector.detect(title: "女士碎花连衣裙", image: image).decision.category, "apparel")
    }
}
