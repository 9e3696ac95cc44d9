import Foundation

/// Turns a `ClipAnalysis` into checks (metric vs threshold) and series.
struct QCChecks {
    let a: ClipAnalysis
    let t: QCThresholds
    var checks: [QCCheck] = []
    var series = QCSeries()

    init(_ analysis: ClipAnalysis, _ thresholds: QCThresholds, floatInput: Bool) {
        a = analysis
        t = thresholds
        series.frameKind = a.frames.map(\.kind.rawValue)
        series.meanLuma = a.frames.map(\.mean)
        series.stdLuma = a.frames.map(\.std)
        series.nonFiniteValues = floatInput ? a.frames.map(\.nonFinite) : nil
        series.pairs = a.pairs.map { [$0.first, $0.second] }
        series.shiftX = a.pairs.map(\.shift.dx)
        series.shiftY = a.pairs.map(\.shift.dy)
        series.correlationPeak = a.pairs.map(\.shift.peak)
        series.frameDifference = a.pairs.map(\.difference)
        series.brightnessChange = a.pairs.map(\.brightnessChange)
        series.discontinuity = a.pairs.map(\.discontinuity)
        sharpness()
        jitter()
        flicker()
        fidelity()
        frames(floatInput: floatInput)
        motion()
    }

    private mutating func add(_ id: QCCheckID, _ value: Double?, _ threshold: Double, _ cmp: QCComparison,
                              _ unit: String, fail reason: String, skip: String = "") {
        guard let v = value, v.isFinite else {
            checks.append(QCCheck(id: id, category: id.category, value: nil, threshold: threshold, comparison: cmp,
                                  unit: unit, status: .skipped, reason: skip.isEmpty ? "not measurable on this clip" : skip))
            return
        }
        let ok = cmp.passes(v, threshold)
        checks.append(QCCheck(id: id, category: id.category, value: v, threshold: threshold, comparison: cmp,
                              unit: unit, status: ok ? .pass : .fail, reason: ok ? nil : reason))
    }

    private func fmt(_ v: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }

    private var perFrameNil: [Double?] { Array(repeating: nil, count: a.frames.count) }

    // MARK: sharpness

    private mutating func sharpness() {
        let base = a.inputLaplacianVariance
        var ratios = perFrameNil
        var values: [(Int, Double)] = []
        if base > 1e-9 {
            for i in a.analysed {
                let r = a.frames[i].laplacianVariance / base
                ratios[i] = r
                values.append((i, r))
            }
        }
        series.sharpnessRatio = ratios
        let skip = base > 1e-9 ? "no usable frames" : "the input has no detail (Laplacian variance 0)"
        let worst = values.min { $0.1 < $1.1 }
        add(.sharpnessMinFrameRatio, worst?.1, t.sharpnessMinFrameRatio, .atLeast, "ratio",
            fail: "frame \(worst?.0 ?? 0) keeps \(fmt(100 * (worst?.1 ?? 0), 1))% of the input's Laplacian variance: blurred",
            skip: skip)
        let mean = values.isEmpty ? nil : values.map(\.1).reduce(0, +) / Double(values.count)
        add(.sharpnessMeanRatio, mean, t.sharpnessMinMeanRatio, .atLeast, "ratio",
            fail: "the frames keep on average \(fmt(100 * (mean ?? 0), 1))% of the input's Laplacian variance: blurred clip",
            skip: skip)
    }

    // MARK: jitter

    private mutating func jitter() {
        let pct = 100 / Double(a.shortSide)
        let sx = a.pairs.map { $0.discontinuity ? 0 : $0.shift.dx * pct }
        let sy = a.pairs.map { $0.discontinuity ? 0 : $0.shift.dy * pct }
        let px = PathSmoothing.cumulative(sx), py = PathSmoothing.cumulative(sy)
        let hx = PathSmoothing.highFrequency(px, sigma: t.pathSmoothingSigma)
        let hy = PathSmoothing.highFrequency(py, sigma: t.pathSmoothingSigma)
        let hf = zip(hx, hy).map { ($0 * $0 + $1 * $1).squareRoot() }
        var pathX = perFrameNil, pathY = perFrameNil, pathHF = perFrameNil
        if !a.pairs.isEmpty {
            for (k, i) in a.analysed.enumerated() { pathX[i] = px[k]; pathY[i] = py[k]; pathHF[i] = hf[k] }
        }
        series.pathX = pathX; series.pathY = pathY; series.pathHighFrequency = pathHF

        let enough = a.pairs.count >= 2
        let rms = enough ? PathSmoothing.rms(hf) : nil
        let worst = enough ? hf.indices.max { hf[$0] < hf[$1] }.map { a.analysed[$0] } ?? 0 : 0
        add(.jitterHighFrequency, rms, t.jitterMaxHighFrequencyRMS, .atMost, "% short side",
            fail: "the camera path shakes by \(fmt(rms ?? 0))% of the short side RMS (≈\(fmt((rms ?? 0) * Double(a.shortSide) / 100, 2)) px, worst at frame \(worst)) around its smooth motion",
            skip: "needs at least 3 usable frames")
        var flips = 0
        if enough {
            for k in 1..<a.pairs.count {
                let fx = PathSmoothing.signFlips([sx[k - 1], sx[k]], deadZone: t.jitterDeadZone)
                let fy = PathSmoothing.signFlips([sy[k - 1], sy[k]], deadZone: t.jitterDeadZone)
                if fx + fy > 0 { flips += 1 }
            }
        }
        let rate = enough ? Double(flips) / Double(a.pairs.count - 1) : nil
        add(.jitterSignFlips, rate, t.jitterMaxSignFlipRate, .atMost, "fraction",
            fail: "the frame-to-frame shift reverses direction \(flips) times in \(a.pairs.count - 1) steps: shaking back and forth",
            skip: "needs at least 3 usable frames")
    }

    // MARK: flicker

    private mutating func flicker() {
        let steps = a.pairs.map { $0.discontinuity ? 0 : $0.brightnessChange }
        let path = PathSmoothing.cumulative(steps)
        let hf = PathSmoothing.highFrequency(path, sigma: t.pathSmoothingSigma)
        var bp = perFrameNil, bh = perFrameNil
        if !a.pairs.isEmpty {
            for (k, i) in a.analysed.enumerated() { bp[i] = path[k]; bh[i] = hf[k] }
        }
        series.brightnessPath = bp; series.brightnessHighFrequency = bh

        let enough = a.pairs.count >= 2
        let rms = enough ? PathSmoothing.rms(hf) : nil
        add(.flickerHighFrequency, rms, t.flickerMaxHighFrequencyRMS, .atMost, "levels",
            fail: "brightness jumps up and down by \(fmt(rms ?? 0, 2)) luma levels RMS beyond what the motion explains: flicker",
            skip: "needs at least 3 usable frames")
        let flips = PathSmoothing.signFlips(steps, deadZone: t.flickerDeadZone)
        let rate = enough ? Double(flips) / Double(steps.count - 1) : nil
        add(.flickerSignFlips, rate, t.flickerMaxSignFlipRate, .atMost, "fraction",
            fail: "brightening and darkening alternate \(flips) times in \(steps.count - 1) steps: flicker",
            skip: "needs at least 3 usable frames")
    }

    // MARK: fidelity

    private mutating func fidelity() {
        let f = a.fidelityFrame ?? 0
        let which = f == 0 ? "frame 0" : "frame \(f) (the first usable frame)"
        add(.fidelitySSIM, a.ssim, t.fidelityMinSSIM, .atLeast, "SSIM",
            fail: "\(which) has SSIM \(fmt(a.ssim ?? 0)) to the prepared input: it does not show the input product",
            skip: "no usable frame")
    }

    // MARK: frames

    private mutating func frames(floatInput: Bool) {
        let bad = a.frames.indices.filter { [.blank, .black, .white].contains(a.frames[$0].kind) }
        let badList = bad.prefix(8).map { "\($0) \(a.frames[$0].kind.rawValue) (mean \(fmt(a.frames[$0].mean, 1)), std \(fmt(a.frames[$0].std, 1)))" }
        add(.badFrames, Double(bad.count), t.maxBadFrames, .atMost, "frames",
            fail: "frames " + badList.joined(separator: ", ") + (bad.count > 8 ? ", …" : ""))

        if floatInput {
            let nf = a.frames.indices.filter { a.frames[$0].nonFinite > 0 }
            let list = nf.prefix(8).map { "\($0) (\(a.frames[$0].nonFinite) values)" }.joined(separator: ", ")
            add(.nonFiniteFrames, Double(nf.count), t.maxNonFiniteFrames, .atMost, "frames",
                fail: "NaN/Inf in frames \(list)\(nf.count > 8 ? ", …" : ""): the engine produced invalid numbers")
        } else {
            add(.nonFiniteFrames, nil, t.maxNonFiniteFrames, .atMost, "frames", fail: "",
                skip: "8-bit frames cannot hold NaN; check the float frames before conversion")
        }

        let frozen = a.pairs.filter { $0.difference <= t.frozenMaxDifference }
        let fraction = a.pairs.isEmpty ? nil : Double(frozen.count) / Double(a.pairs.count)
        add(.frozenPairs, fraction, t.maxFrozenPairFraction, .atMost, "fraction",
            fail: "\(frozen.count) of \(a.pairs.count) consecutive frame pairs are identical (frozen), first at frames \(frozen.first.map { "\($0.first)–\($0.second)" } ?? "")",
            skip: "needs at least 2 usable frames")

        let last = a.frames.count - 1
        let others = a.frames.indices.filter { $0 != last && a.frames[$0].kind == .ok }.map { a.frames[$0].std }.sorted()
        var ratio: Double?
        if last > 0, a.frames[last].kind != .nonFinite, !others.isEmpty {
            let median = others[others.count / 2]
            ratio = median > 1e-9 ? a.frames[last].std / median : nil
        }
        add(.lastFrameDetail, ratio, t.lastFrameMinDetailRatio, .atLeast, "ratio",
            fail: "the last frame has \(fmt(100 * (ratio ?? 0), 1))% of the other frames' contrast: blank or washed-out last frame",
            skip: "needs a finite last frame and another usable frame")
    }

    // MARK: motion

    private mutating func motion() {
        let diffs = a.pairs.map(\.difference)
        series.changeFromFirstFrame = a.changeFromFirst
        let change = a.pairs.isEmpty ? nil : a.changeFromFirst.compactMap { $0 }.max()
        add(.motionChangeFromFirstFrame, change, t.motionMinChangeFromFirstFrame, .atLeast, "levels",
            fail: "no frame departs from the first by more than \(fmt(change ?? 0, 2)) luma levels (coarse scale): the clip does not move",
            skip: "needs at least 2 usable frames")
        let maxK = diffs.indices.max { diffs[$0] < diffs[$1] }
        let maxD = maxK.map { diffs[$0] }
        let pair = maxK.map { "\(a.pairs[$0].first)–\(a.pairs[$0].second)" } ?? ""
        add(.motionMaxDifference, maxD, t.motionMaxFrameDifference, .atMost, "levels",
            fail: "frames \(pair) differ by \(fmt(maxD ?? 0, 1)) luma levels: the content changes too much between frames (cut or distortion)",
            skip: "needs at least 2 usable frames")
        var spike: Double?
        if a.pairs.count >= 3, let m = maxD { spike = m / ClipAnalysis.typicalDifference(a.pairs, t) }
        add(.motionDifferenceSpike, spike, t.motionMaxDifferenceSpike, .atMost, "ratio",
            fail: "frames \(pair) differ \(fmt(spike ?? 0, 1))× more than the clip's typical frame pair: a cut or sudden jump",
            skip: "needs at least 4 usable frames")
        let dist = zip(series.pathX, series.pathY).compactMap { x, y -> Double? in
            guard let x, let y else { return nil }
            return (x * x + y * y).squareRoot()
        }
        let maxDist = a.pairs.isEmpty ? nil : dist.max()
        add(.motionDisplacement, maxDist, t.motionMaxDisplacement, .atMost, "% short side",
            fail: "the camera travels \(fmt(maxDist ?? 0, 1))% of the short side from the first frame: the product leaves the frame",
            skip: "needs at least 2 usable frames")
    }
}
