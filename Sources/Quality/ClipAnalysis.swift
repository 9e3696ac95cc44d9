import Foundation

/// What a frame looks like to the blank-frame check.
enum FrameKind: String {
    case ok, blank, black, white, nonFinite
}

struct FrameMeasure {
    var mean: Double
    var std: Double
    var laplacianVariance: Double
    var nonFinite: Int
    var kind: FrameKind = .ok
}

/// Two consecutive analysed frames.
struct PairMeasure {
    var first: Int
    var second: Int
    /// Global shift in full-resolution pixels.
    var shift: PhaseShift
    /// Mean absolute luma difference on the analysis planes, levels.
    var difference: Double
    /// Mean-luma change over the overlap once the integer global shift is undone, levels.
    var brightnessChange: Double
    /// The frames have nothing in common (a cut): a difference spike with a weak correlation
    /// peak. Its shift and brightness change mean nothing and stay out of the jitter and
    /// flicker paths; `motion.frameDifferenceSpike` reports it.
    var discontinuity = false
}

/// Every measurement the checks are made from. Pure function of the luma planes.
struct ClipAnalysis {
    var width: Int
    var height: Int
    var frames: [FrameMeasure]
    var analysed: [Int]
    var pairs: [PairMeasure]
    var inputMean: Double
    var inputStd: Double
    var inputLaplacianVariance: Double
    var ssim: Double?
    var fidelityFrame: Int?
    var motionScale: Int
    var planeWidth: Int
    var planeHeight: Int
    var windowWidth: Int
    var windowHeight: Int
    var ssimScale: Int
    /// Per frame (nil unless analysed): MAE to the first analysed frame on the coarse planes.
    var changeFromFirst: [Double?]

    /// Extra box-average factor from the analysis planes to the coarse planes of the motion
    /// floor: noise of σ levels per pixel drops to σ/4, a displacement of the content does not.
    static let coarseFactor = 4

    var shortSide: Int { min(width, height) }

    /// `frames` all have the input's size (the caller resamples the input and checks sizes).
    init(frames luma: [LumaPlane], nonFinite: [Int], input: LumaPlane, thresholds t: QCThresholds) {
        width = input.width
        height = input.height
        let n = luma.count
        let short = min(width, height)
        motionScale = max(1, short / max(1, Int(t.analysisShortSide)))
        planeWidth = max(1, width / motionScale)
        planeHeight = max(1, height / motionScale)
        ssimScale = max(1, Int((Double(short) / t.fidelityShortSide).rounded()))
        // Frames are at least 32 px (checked by the caller), so the plane is ≥ 16 and a window fits.
        let correlator = PhaseCorrelator(planeWidth: planeWidth, planeHeight: planeHeight)
        windowWidth = correlator?.windowWidth ?? 0
        windowHeight = correlator?.windowHeight ?? 0

        let inStats = input.meanAndStd()
        inputMean = inStats.mean
        inputStd = inStats.std
        inputLaplacianVariance = Laplacian.variance(of: input)

        // Per frame: statistics at full resolution, the analysis plane and its spectrum.
        let scale = motionScale
        let perFrame = Parallel.map(n) { i -> (FrameMeasure, LumaPlane, PhaseCorrelator.Spectrum?, LumaPlane) in
            let st = luma[i].meanAndStd()
            let measure = FrameMeasure(mean: st.mean, std: st.std, laplacianVariance: Laplacian.variance(of: luma[i]),
                                       nonFinite: i < nonFinite.count ? nonFinite[i] : 0)
            let plane = luma[i].downscaled(by: scale)
            return (measure, plane, correlator?.spectrum(of: plane), plane.downscaled(by: Self.coarseFactor))
        }
        let planes = perFrame.map(\.1), spectra = perFrame.map(\.2), coarse = perFrame.map(\.3)
        var frames = perFrame.map(\.0)
        for i in 0..<n { frames[i].kind = Self.classify(frames[i], inputMean: inStats.mean, inputStd: inStats.std, t) }
        let idx = (0..<n).filter { frames[$0].kind == .ok }
        self.frames = frames
        analysed = idx
        var change = [Double?](repeating: nil, count: n)
        if let first = idx.first {
            for i in idx { change[i] = Self.meanAbsoluteDifference(coarse[first], coarse[i]) }
        }
        changeFromFirst = change

        // Per pair of consecutive analysed frames: shift, difference, brightness change.
        let full = Double(scale)
        self.pairs = Parallel.map(max(0, idx.count - 1)) { k -> PairMeasure in
            let i = idx[k], j = idx[k + 1]
            let a = planes[i], b = planes[j]
            var shift = PhaseShift(dx: 0, dy: 0, peak: 0)
            if let c = correlator, let sa = spectra[i], let sb = spectra[j] { shift = c.shift(from: sa, to: sb) }
            let diff = Self.meanAbsoluteDifference(a, b)
            let bright = Self.compensatedBrightnessChange(a, b, dx: Int(shift.dx.rounded()), dy: Int(shift.dy.rounded()))
            return PairMeasure(first: i, second: j,
                               shift: PhaseShift(dx: shift.dx * full, dy: shift.dy * full, peak: shift.peak),
                               difference: diff, brightnessChange: bright)
        }
        Self.markDiscontinuities(&self.pairs, t)

        fidelityFrame = idx.first
        let ssimScale = self.ssimScale
        ssim = idx.first.flatMap { SSIM.ssim(luma[$0], input, downsample: ssimScale) }
    }

    /// The floored median pair difference that spikes are measured against.
    static func typicalDifference(_ pairs: [PairMeasure], _ t: QCThresholds) -> Double {
        let d = pairs.map(\.difference).sorted()
        return max(d.isEmpty ? 0 : d[d.count / 2], t.motionSpikeFloor, 1e-6)
    }

    static func markDiscontinuities(_ pairs: inout [PairMeasure], _ t: QCThresholds) {
        guard pairs.count >= 3 else { return }
        let typical = typicalDifference(pairs, t)
        let peaks = pairs.map(\.shift.peak).sorted()
        let medianPeak = peaks[peaks.count / 2]
        for k in pairs.indices where pairs[k].difference > t.motionMaxDifferenceSpike * typical
            && pairs[k].shift.peak < 0.5 * medianPeak {
            pairs[k].discontinuity = true
        }
    }

    static func classify(_ f: FrameMeasure, inputMean: Double, inputStd: Double, _ t: QCThresholds) -> FrameKind {
        if f.nonFinite > 0 { return .nonFinite }
        // Black / white only where the input is not itself that dark / bright.
        if f.mean <= t.blackMaxMean && inputMean > 2 * t.blackMaxMean { return .black }
        if f.mean >= t.whiteMinMean && inputMean < 255 - 2 * (255 - t.whiteMinMean) { return .white }
        if f.std <= max(t.blankMaxStd, t.blankMaxStdRatio * inputStd) { return .blank }
        return .ok
    }

    static func meanAbsoluteDifference(_ a: LumaPlane, _ b: LumaPlane) -> Double {
        a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                var total = 0.0
                for r in 0..<a.height {
                    var s: Float = 0
                    let row = r * a.width
                    for c in 0..<a.width { s += abs(x[row + c] - y[row + c]) }
                    total += Double(s)
                }
                return total / Double(a.values.count)
            }
        }
    }

    /// mean(b over the overlap) − mean(a over the overlap) with b(x + dx, y + dy) ↔ a(x, y):
    /// content that merely moved does not change it, a global brightness change does.
    static func compensatedBrightnessChange(_ a: LumaPlane, _ b: LumaPlane, dx: Int, dy: Int) -> Double {
        let w = a.width, h = a.height
        let x0 = max(0, -dx), x1 = min(w, w - dx), y0 = max(0, -dy), y1 = min(h, h - dy)
        guard x1 - x0 >= 4, y1 - y0 >= 4 else {
            return b.meanAndStd().mean - a.meanAndStd().mean
        }
        return a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                var sa = 0.0, sb = 0.0
                for r in y0..<y1 {
                    var ra: Float = 0, rb: Float = 0
                    let ia = r * w, ib = (r + dy) * w + dx
                    for c in x0..<x1 { ra += x[ia + c]; rb += y[ib + c] }
                    sa += Double(ra); sb += Double(rb)
                }
                let count = Double((x1 - x0) * (y1 - y0))
                return (sb - sa) / count
            }
        }
    }
}
