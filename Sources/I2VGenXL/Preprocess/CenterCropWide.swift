// Matches diffusers pipelines/i2vgen_xl/pipeline_i2vgen_xl.py: _center_crop_wide and
// _resize_bilinear on a PIL image, with Pillow's Image.crop zero fill (libImaging Crop.c).

public enum ImageCrop {
    /// `_center_crop_wide(image, (width, height))`: scale so the image covers the target, using
    /// Python float floor division (which can land one pixel short), BOX-resize, then crop the
    /// centre box — rows or columns outside the resized image come out black, as Pillow fills them.
    public static func centerCropWide(_ image: RGB8Image, width: Int, height: Int) throws -> RGB8Image {
        guard width > 0, height > 0 else {
            throw PreprocessError.invalidSize("crop target \(width)×\(height) must be positive")
        }
        let scale = min(Double(image.width) / Double(width), Double(image.height) / Double(height))
        let newW = Int(PythonArithmetic.round(PythonArithmetic.floorDivide(Double(image.width), scale)))
        let newH = Int(PythonArithmetic.round(PythonArithmetic.floorDivide(Double(image.height), scale)))
        let resized = try PillowResample.resize(image, width: newW, height: newH, filter: .box)
        let x1 = PythonArithmetic.floorDivide(resized.width - width, 2)
        let y1 = PythonArithmetic.floorDivide(resized.height - height, 2)
        return crop(resized, x: x1, y: y1, width: width, height: height)
    }

    /// Pillow `Image.crop((x, y, x + width, y + height))`: the part outside the source is zero.
    public static func crop(_ image: RGB8Image, x: Int, y: Int, width: Int, height: Int) -> RGB8Image {
        var out = RGB8Image(zeros: width, height: height)
        let x0 = max(x, 0), x1 = min(x + width, image.width)
        let y0 = max(y, 0), y1 = min(y + height, image.height)
        guard x0 < x1, y0 < y1 else { return out }
        let rowBytes = (x1 - x0) * 3
        for sy in y0..<y1 {
            let src = (sy * image.width + x0) * 3
            let dst = ((sy - y) * width + (x0 - x)) * 3
            out.pixels.replaceSubrange(dst..<(dst + rowBytes), with: image.pixels[src..<(src + rowBytes)])
        }
        return out
    }
}
