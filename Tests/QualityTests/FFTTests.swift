import Foundation
@testable import Quality
import XCTest

final class FFTTests: XCTestCase {
    /// X[k] = Σ x[n] e^{-2πi kn/N}, straight from the definition.
    private func naiveDFT(_ re: [Double], _ im: [Double], inverse: Bool = false) -> ([Double], [Double]) {
        let n = re.count
        var outRe = [Double](repeating: 0, count: n), outIm = outRe
        let sign: Double = inverse ? 1 : -1
        for k in 0..<n {
            for t in 0..<n {
                let angle = sign * 2 * Double.pi * Double(k * t % n) / Double(n)
                outRe[k] += re[t] * cos(angle) - im[t] * sin(angle)
                outIm[k] += re[t] * sin(angle) + im[t] * cos(angle)
            }
            if inverse { outRe[k] /= Double(n); outIm[k] /= Double(n) }
        }
        return (outRe, outIm)
    }

    private func randomComplex(_ n: Int, seed: UInt64) -> ([Double], [Double]) {
        var rng = SplitMix64(seed: seed)
        return ((0..<n).map { _ in rng.uniform(-1, 1) }, (0..<n).map { _ in rng.uniform(-1, 1) })
    }

    func testForwardTransformMatchesTheNaiveDFTForEveryPowerOfTwoUpTo256() throws {
        for n in [1, 2, 4, 8, 16, 64, 256] {
            let fft = try XCTUnwrap(FFT(count: n))
            var (re, im) = randomComplex(n, seed: UInt64(n))
            let (expRe, expIm) = naiveDFT(re, im)
            fft.forward(re: &re, im: &im)
            for k in 0..<n {
                XCTAssertEqual(re[k], expRe[k], accuracy: 1e-9 * Double(n), "n=\(n) re[\(k)]")
                XCTAssertEqual(im[k], expIm[k], accuracy: 1e-9 * Double(n), "n=\(n) im[\(k)]")
            }
        }
    }

    func testInverseMatchesTheNaiveInverseAndUndoesTheForwardTransform() throws {
        let n = 32
        let fft = try XCTUnwrap(FFT(count: n))
        let (re0, im0) = randomComplex(n, seed: 3)
        var (re, im) = (re0, im0)
        let (expRe, expIm) = naiveDFT(re, im, inverse: true)
        fft.inverse(re: &re, im: &im)
        for k in 0..<n {
            XCTAssertEqual(re[k], expRe[k], accuracy: 1e-12)
            XCTAssertEqual(im[k], expIm[k], accuracy: 1e-12)
        }
        fft.forward(re: &re, im: &im)
        for k in 0..<n {
            XCTAssertEqual(re[k], re0[k], accuracy: 1e-12)
            XCTAssertEqual(im[k], im0[k], accuracy: 1e-12)
        }
    }

    func testTwoDimensionalTransformMatchesTheNaive2DDFT() throws {
        let w = 16, h = 8
        let fft = try XCTUnwrap(FFT2D(width: w, height: h))
        var (re, im) = randomComplex(w * h, seed: 11)
        // Naive 2-D DFT: X[v][u] = Σ_y Σ_x x[y][x] e^{-2πi (ux/W + vy/H)}.
        var expRe = [Double](repeating: 0, count: w * h), expIm = expRe
        for v in 0..<h { for u in 0..<w {
            for y in 0..<h { for x in 0..<w {
                let a = -2 * Double.pi * (Double(u * x) / Double(w) + Double(v * y) / Double(h))
                expRe[v * w + u] += re[y * w + x] * cos(a) - im[y * w + x] * sin(a)
                expIm[v * w + u] += re[y * w + x] * sin(a) + im[y * w + x] * cos(a)
            } }
        } }
        fft.forward(re: &re, im: &im)
        for i in 0..<(w * h) {
            XCTAssertEqual(re[i], expRe[i], accuracy: 1e-9)
            XCTAssertEqual(im[i], expIm[i], accuracy: 1e-9)
        }
    }

    func testOnlyPowerOfTwoSizesAreAccepted() {
        XCTAssertNil(FFT(count: 0))
        XCTAssertNil(FFT(count: 12))
        XCTAssertNil(FFT2D(width: 16, height: 24))
        XCTAssertNotNil(FFT(count: 1024))
    }
}
