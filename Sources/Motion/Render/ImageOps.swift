import Media

/// Small image helpers shared by the image cues and the renderer.
enum ImageOps {
    /// Box-filter (area) downsample so the long side is at most `longSide`; never upsamples.
    static func areaDownsample(_ img: RGBImage, longSide: Int) -> RGBImage {
        let scale = Double(max(img.width, img.height)) / Double(longSide)
        guard scale > 1 else { return img }
        let w = max(1, Int((Double(img.width) / scale).rounded()))
        let h = max(1, Int((Double(img.height) / scale).rounded()))
        var out = [UInt8](repeating: 0, count: w * h * 3)
        img.pixels.withUnsafeBufferPointer { src in
            for oy in 0..<h {
                let sy0 = oy * img.height / h, sy1 = max(sy0 + 1, (oy + 1) * img.height / h)
                for ox in 0..<w {
                    let sx0 = ox * img.width / w, sx1 = max(sx0 + 1, (ox + 1) * img.width / w)
                    var r = 0, g = 0, b = 0
                    for sy in sy0..<sy1 {
                        var i = (sy * img.width + sx0) * 3
                        for _ in sx0..<sx1 {
                            r += Int(src[i]); g += Int(src[i + 1]); b += Int(src[i + 2])
                            i += 3
                        }
                    }
                    let c = (sy1 - sy0) * (sx1 - sx0)
                    let o = (oy * w + ox) * 3
                    out[o] = UInt8((r + c / 2) / c); out[o + 1] = UInt8((g + c / 2) / c); out[o + 2] = UInt8((b + c / 2) / c)
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// Separable box blur with clamped edges.
    static func boxBlur(_ v: [Float], width: Int, height: Int, radius: Int) -> [Float] {
        guard radius > 0 else { return v }
        var tmp = [Float](repeating: 0, count: v.count)
        var out = [Float](repeating: 0, count: v.count)
        let norm = 1 / Float(2 * radius + 1)
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for k in -radius...radius { s += v[y * width + min(max(x + k, 0), width - 1)] }
                tmp[y * width + x] = s * norm
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for k in -radius...radius { s += tmp[min(max(y + k, 0), height - 1) * width + x] }
                out[y * width + x] = s * norm
            }
        }
        return out
    }
}
