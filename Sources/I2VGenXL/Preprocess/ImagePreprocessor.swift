// Matches diffusers pipelines/i2vgen_xl/pipeline_i2vgen_xl.py: I2VGenXLPipeline.__call__ steps
// 3.2.1 (_center_crop_wide to width×width, _resize_bilinear to the CLIP crop size, _encode_image's
// pil_to_numpy + CLIPImageProcessor normalisation) and 3.2.2 (_center_crop_wide to width×height,
// VideoProcessor.preprocess to [−1, 1]).
import Tensor

/// `feature_extractor/preprocessor_config.json` (CLIPImageProcessor). The pipeline uses only the
/// crop size (as the target of its own bilinear resize) and the normalisation statistics.
public struct CLIPImageProcessorConfig: Decodable, Sendable, Equatable {
    public var cropHeight: Int = 224
    public var cropWidth: Int = 224
    public var imageMean: [Double] = [0.48145466, 0.4578275, 0.40821073]
    public var imageStd: [Double] = [0.26862954, 0.26130258, 0.27577711]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case cropSize = "crop_size", imageMean = "image_mean", imageStd = "image_std"
    }
    enum SizeKeys: String, CodingKey { case height, width }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CLIPImageProcessorConfig()
        // crop_size is {"height", "width"} in current files, a bare int in old ones.
        if let side = try? c.decodeIfPresent(Int.self, forKey: .cropSize) {
            cropHeight = side
            cropWidth = side
        } else if c.contains(.cropSize) {
            let s = try c.nestedContainer(keyedBy: SizeKeys.self, forKey: .cropSize)
            cropHeight = try s.decode(Int.self, forKey: .height)
            cropWidth = try s.decode(Int.self, forKey: .width)
        } else {
            cropHeight = d.cropHeight
            cropWidth = d.cropWidth
        }
        imageMean = try c.decodeIfPresent([Double].self, forKey: .imageMean) ?? d.imageMean
        imageStd = try c.decodeIfPresent([Double].self, forKey: .imageStd) ?? d.imageStd
        guard imageMean.count == 3 else {
            throw DecodingError.dataCorruptedError(forKey: .imageMean, in: c, debugDescription: "expected 3 values, got \(imageMean.count)")
        }
        guard imageStd.count == 3, imageStd.allSatisfy({ $0 != 0 }) else {
            throw DecodingError.dataCorruptedError(forKey: .imageStd, in: c, debugDescription: "expected 3 non-zero values")
        }
        guard cropHeight > 0, cropWidth > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .cropSize, in: c, debugDescription: "crop size must be positive")
        }
    }
}

/// The two images the pipeline derives from the input photo, as float32 NCHW host arrays.
public struct PreprocessedImage: Sendable {
    /// [1, 3, cropH, cropW], CLIP-normalised.
    public var clipPixelValues: [Float]
    public var clipShape: [Int]
    /// [1, 3, height, width] in [−1, 1].
    public var vaePixelValues: [Float]
    public var vaeShape: [Int]

    public func clipTensor(_ b: any Backend) -> Tensor { b.tensor(clipPixelValues, shape: clipShape) }
    public func vaeTensor(_ b: any Backend) -> Tensor { b.tensor(vaePixelValues, shape: vaeShape) }
}

public enum ImagePreprocessor {
    /// Both pipeline inputs from one RGB image for an output video of `width`×`height`.
    public static func preprocess(_ image: RGB8Image, width: Int, height: Int, config: CLIPImageProcessorConfig) throws -> PreprocessedImage {
        let square = try ImageCrop.centerCropWide(image, width: width, height: width)
        let clipImage = try PillowResample.resize(square, width: config.cropWidth, height: config.cropHeight, filter: .bilinear)
        let vaeImage = try ImageCrop.centerCropWide(image, width: width, height: height)
        return PreprocessedImage(
            clipPixelValues: clipNormalised(clipImage, config: config),
            clipShape: [1, 3, clipImage.height, clipImage.width],
            vaePixelValues: vaeRange(vaeImage),
            vaeShape: [1, 3, vaeImage.height, vaeImage.width])
    }

    /// np.array(img).astype(float32) / 255 then (x − mean) / std per channel, all float32; NCHW.
    static func clipNormalised(_ image: RGB8Image, config: CLIPImageProcessorConfig) -> [Float] {
        let mean = config.imageMean.map { Float($0) }, std = config.imageStd.map { Float($0) }
        return planar(image) { c, v in (Float(v) / 255 - mean[c]) / std[c] }
    }

    /// float32 /255, then 2x − 1; NCHW.
    static func vaeRange(_ image: RGB8Image) -> [Float] {
        planar(image) { _, v in 2 * (Float(v) / 255) - 1 }
    }

    private static func planar(_ image: RGB8Image, _ f: (Int, UInt8) -> Float) -> [Float] {
        let hw = image.width * image.height
        var out = [Float](repeating: 0, count: 3 * hw)
        for i in 0..<hw {
            for c in 0..<3 { out[c * hw + i] = f(c, image.pixels[i * 3 + c]) }
        }
        return out
    }
}
