import Foundation

/// Radix-2 decimation-in-time complex FFT of one power-of-two length, on split real/imaginary
/// arrays. Forward: X[k] = Σ x[n] e^{-2πi kn/N}; inverse: x[n] = (1/N) Σ X[k] e^{+2πi kn/N}.
public struct FFT: Sendable {
    public let count: Int
    private let cosTable: [Double]   // cos(2πk/N), k < N/2
    private let sinTable: [Double]   // sin(2πk/N), k < N/2
    private let bitReversed: [Int]

    /// nil unless `count` is a power of two ≥ 1.
    public init?(count: Int) {
        guard count >= 1, count & (count - 1) == 0 else { return nil }
        self.count = count
        let half = max(1, count / 2)
        cosTable = (0..<half).map { cos(2 * Double.pi * Double($0) / Double(count)) }
        sinTable = (0..<half).map { sin(2 * Double.pi * Double($0) / Double(count)) }
        var bits = 0
        while (1 << bits) < count { bits += 1 }
        bitReversed = (0..<count).map { i in
            var r = 0, v = i
            for _ in 0..<bits { r = (r << 1) | (v & 1); v >>= 1 }
            return r
        }
    }

    public func forward(re: inout [Double], im: inout [Double]) {
        precondition(re.count == count && im.count == count, "FFT of \(count) given \(re.count)/\(im.count) values")
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in transform(r.baseAddress!, i.baseAddress!, inverse: false) }
        }
    }

    public func inverse(re: inout [Double], im: inout [Double]) {
        precondition(re.count == count && im.count == count, "FFT of \(count) given \(re.count)/\(im.count) values")
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in transform(r.baseAddress!, i.baseAddress!, inverse: true) }
        }
    }

    /// In-place transform of `count` contiguous values; the inverse includes the 1/N factor.
    func transform(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, inverse: Bool) {
        let n = count
        guard n > 1 else { return }
        bitReversed.withUnsafeBufferPointer { rev in
            for i in 0..<n {
                let j = rev[i]
                if j > i {
                    swap(&re[i], &re[j])
                    swap(&im[i], &im[j])
                }
            }
        }
        let sign: Double = inverse ? 1 : -1
        cosTable.withUnsafeBufferPointer { ct in
            sinTable.withUnsafeBufferPointer { st in
                var len = 2
                while len <= n {
                    let half = len / 2, step = n / len
                    var start = 0
                    while start < n {
                        for k in 0..<half {
                            let wr = ct[k * step], wi = sign * st[k * step]
                            let a = start + k, b = a + half
                            let tr = wr * re[b] - wi * im[b]
                            let ti = wr * im[b] + wi * re[b]
                            re[b] = re[a] - tr; im[b] = im[a] - ti
                            re[a] += tr; im[a] += ti
                        }
                        start += len
                    }
                    len *= 2
                }
            }
        }
        if inverse {
            let s = 1 / Double(n)
            for i in 0..<n { re[i] *= s; im[i] *= s }
        }
    }
}

/// Two-dimensional FFT of a row-major `height × width` complex array (both powers of two):
/// rows first, then columns through a contiguous scratch column.
public struct FFT2D: Sendable {
    public let width: Int
    public let height: Int
    private let rows: FFT
    private let columns: FFT

    public init?(width: Int, height: Int) {
        guard let r = FFT(count: width), let c = FFT(count: height) else { return nil }
        self.width = width
        self.height = height
        rows = r
        columns = c
    }

    public func forward(re: inout [Double], im: inout [Double]) { run(&re, &im, inverse: false) }
    public func inverse(re: inout [Double], im: inout [Double]) { run(&re, &im, inverse: true) }

    private func run(_ re: inout [Double], _ im: inout [Double], inverse: Bool) {
        precondition(re.count == width * height && im.count == width * height,
                     "FFT2D \(width)x\(height) given \(re.count)/\(im.count) values")
        let w = width, h = height
        var colRe = [Double](repeating: 0, count: h), colIm = [Double](repeating: 0, count: h)
        re.withUnsafeMutableBufferPointer { rb in
            im.withUnsafeMutableBufferPointer { ib in
                let r = rb.baseAddress!, i = ib.baseAddress!
                for y in 0..<h { rows.transform(r + y * w, i + y * w, inverse: inverse) }
                colRe.withUnsafeMutableBufferPointer { cr in
                    colIm.withUnsafeMutableBufferPointer { ci in
                        for x in 0..<w {
                            for y in 0..<h { cr[y] = r[y * w + x]; ci[y] = i[y * w + x] }
                            columns.transform(cr.baseAddress!, ci.baseAddress!, inverse: inverse)
                            for y in 0..<h { r[y * w + x] = cr[y]; i[y * w + x] = ci[y] }
                        }
                    }
                }
            }
        }
    }
}
