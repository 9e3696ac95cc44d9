extension RGBImage {
    /// The pixels of the box [x0, x1) × [y0, y1). Like Pillow's `Image.crop`, the box may reach
    /// outside the image; those pixels are black (zero). Returns nil for an empty box.
    public func cropped(x0: Int, y0: Int, x1: Int, y1: Int) -> RGBImage? {
        guard x1 > x0, y1 > y0 else { return nil }
        var out = RGBImage(width: x1 - x0, height: y1 - y0)
        let sx0 = max(x0, 0), sx1 = min(x1, width)
        guard sx1 > sx0 else { return out }
        let rowBytes = (sx1 - sx0) * 3
        for y in max(y0, 0)..<min(y1, height) {
            let s = index(x: sx0, y: y), d = out.index(x: sx0 - x0, y: y - y0)
            out.pixels.replaceSubrange(d..<(d + rowBytes), with: pixels[s..<(s + rowBytes)])
        }
        return out
    }
}
