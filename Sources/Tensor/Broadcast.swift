/// NumPy broadcasting rules shared by the backends' binary ops.
public enum Broadcast {
    /// The broadcast shape of `a` and `b` (trailing dimensions aligned; each pair equal or 1).
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        return (0..<rank).map { i in
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
            return max(da, db)
        }
    }

    /// Element strides of a row-major `shape` viewed as the broadcast `target` (0 on broadcast dims).
    public static func strides(_ shape: [Int], to target: [Int]) -> [Int] {
        let lead = target.count - shape.count
        var out = [Int](repeating: 0, count: target.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            out[i + lead] = shape[i] == 1 ? 0 : s
            s *= shape[i]
        }
        return out
    }
}
