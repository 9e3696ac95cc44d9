/// Variance of the Laplacian, the classic focus measure (Pech-Pacheco et al. 2000;
/// `cv2.Laplacian(gray, cv2.CV_64F).var()`). Kernel [[0, 1, 0], [1, −4, 1], [0, 1, 0]] (OpenCV's
/// ksize = 1), evaluated on interior pixels only so that no border convention enters the value.
public enum Laplacian {
    /// Variance of the 4-neighbour Laplacian over the interior of `plane`; 0 for planes
    /// narrower or shorter than 3 pixels.
    public static func variance(of plane: LumaPlane) -> Double {
        let w = plane.width, h = plane.height
        guard w >= 3, h >= 3 else { return 0 }
        return plane.values.withUnsafeBufferPointer { v in
            var sum = 0.0, sumSq = 0.0
            for y in 1..<(h - 1) {
                let row = y * w
                var rs: Float = 0, rss: Float = 0
                for x in 1..<(w - 1) {
                    let i = row + x
                    let l = v[i - w] + v[i + w] + v[i - 1] + v[i + 1] - 4 * v[i]
                    rs += l; rss += l * l
                }
                sum += Double(rs); sumSq += Double(rss)
            }
            let n = Double((w - 2) * (h - 2))
            let mean = sum / n
            return max(0, sumSq / n - mean * mean)
        }
    }
}
