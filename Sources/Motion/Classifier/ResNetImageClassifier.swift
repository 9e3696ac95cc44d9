import Foundation
import Media
import Tensor

/// The optional image classifier: ResNet-50 (torchvision weights converted by
/// scripts/convert_resnet50.py into `Models/resnet50/`) whose ImageNet classes are mapped to our
/// categories by `Data/imagenet_categories.json`. Used only when the weights are installed.
public final class ResNetImageClassifier: ImageCategoryClassifier, @unchecked Sendable {
    public static let defaultDirectory = "Models/resnet50"

    public let network: ResNet
    /// ImageNet class index → our category id.
    public let classCategory: [Int: String]
    /// Class index → human label (from `labels.json` when present, else the mapping file).
    public let labels: [Int: String]

    public init(network: ResNet, classCategory: [Int: String], labels: [Int: String]) {
        self.network = network
        self.classCategory = classCategory
        self.labels = labels
    }

    /// The classifier in `directory`, or nil when no weights are installed there.
    public static func loadIfInstalled(directory: String = defaultDirectory, backend: any Backend) throws -> ResNetImageClassifier? {
        let config = URL(fileURLWithPath: directory).appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: config.path) else { return nil }
        return try load(directory: directory, backend: backend)
    }

    public static func load(directory: String, backend: any Backend) throws -> ResNetImageClassifier {
        let network = try ResNet(directory: directory, backend: backend)
        let mapping = try ImageNetCategoryMap.builtIn()
        var labels = mapping.labels
        let labelsURL = URL(fileURLWithPath: directory).appendingPathComponent("labels.json")
        if let data = try? Data(contentsOf: labelsURL), let list = try? JSONDecoder().decode([String].self, from: data) {
            labels = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($0.offset, $0.element) })
        }
        return ResNetImageClassifier(network: network, classCategory: mapping.categories, labels: labels)
    }

    /// torchvision's eval transform: resize the short side to `resize`, centre-crop `crop`,
    /// normalise with the ImageNet mean/std. → [1, 3, crop, crop]
    public func preprocess(_ image: RGBImage) -> Tensor {
        let c = network.config
        let scale = Double(c.resize) / Double(min(image.width, image.height))
        let w = max(c.crop, Int((Double(image.width) * scale).rounded()))
        let h = max(c.crop, Int((Double(image.height) * scale).rounded()))
        let planes = Resample.lanczos(image, toWidth: w, height: h)
        let x0 = (w - c.crop) / 2, y0 = (h - c.crop) / 2
        var values = [Float](repeating: 0, count: 3 * c.crop * c.crop)
        for ch in 0..<3 {
            let mean = Float(c.mean[ch]), std = Float(c.std[ch])
            for y in 0..<c.crop {
                for x in 0..<c.crop {
                    values[(ch * c.crop + y) * c.crop + x] = (planes[ch][(y0 + y) * w + x0 + x] / 255 - mean) / std
                }
            }
        }
        return network.backend.tensor(values, shape: [1, 3, c.crop, c.crop])
    }

    public func categoryEvidence(for image: RGBImage) throws -> ImageClassifierEvidence {
        let logits = network.backend.toHost(network.logits(preprocess(image)))
        let m = logits.max() ?? 0
        let e = logits.map { exp($0 - m) }
        let total = e.reduce(0, +)
        let p = e.map { Double($0 / total) }
        var scores: [String: Double] = [:]
        for (i, cat) in classCategory where i < p.count { scores[cat, default: 0] += p[i] }
        let top = p.indices.sorted { p[$0] > p[$1] }.prefix(3)
        return ImageClassifierEvidence(scores: scores, topLabels: top.map { LabelScore(label: labels[$0] ?? "class \($0)", probability: p[$0]) })
    }
}

/// `Data/imagenet_categories.json`: `{"classes": [[index, "label", "category"], …]}`.
public struct ImageNetCategoryMap: Sendable {
    public var categories: [Int: String]
    public var labels: [Int: String]

    public static func builtIn() throws -> ImageNetCategoryMap {
        guard let url = Bundle.module.url(forResource: "imagenet_categories", withExtension: "json", subdirectory: "Data") else {
            throw MotionError.dataFile(path: "Data/imagenet_categories.json", problem: "missing from the Motion resource bundle")
        }
        return try ImageNetCategoryMap(contentsOf: url)
    }

    public init(contentsOf url: URL) throws {
        struct Entry: Decodable {
            var index: Int, label: String, category: String
            init(from decoder: Decoder) throws {
                var c = try decoder.unkeyedContainer()
                index = try c.decode(Int.self); label = try c.decode(String.self); category = try c.decode(String.self)
            }
        }
        struct File: Decodable { var classes: [Entry] }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url)) } catch {
            throw MotionError.dataFile(path: url.path, problem: DecodingProblem.describe(error))
        }
        categories = Dictionary(file.classes.map { ($0.index, $0.category) }, uniquingKeysWith: { a, _ in a })
        labels = Dictionary(file.classes.map { ($0.index, $0.label) }, uniquingKeysWith: { a, _ in a })
    }
}
