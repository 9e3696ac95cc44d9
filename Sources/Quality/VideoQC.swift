import Media

/// Per-video quality control: the checks a generated clip must pass before delivery.
///
/// Functions of values: frames and the prepared input in, a `QCReport` out; no I/O. Every
/// threshold comes from `QCThresholds`. Structural problems of the arguments (no frames, frames
/// of different sizes, an input of another aspect ratio) throw `QCError`; defects of the clip
/// are failed checks in the report.
public enum VideoQC {
    /// Both frame sides must be at least this many pixels.
    public static let minimumSide = 32

    /// QC of 8-bit frames against the prepared input image (resampled to the frame size when it
    /// differs; it must have the frames' aspect ratio within 2%).
    public static func check(frames: [RGBImage], input: RGBImage,
                             thresholds: QCThresholds = .standard) throws -> QCReport {
        guard let first = frames.first else { throw QCError.noFrames }
        try validate(sizes: frames.map { ($0.width, $0.height) }, first: (first.width, first.height))
        try thresholds.validate()
        let luma = Parallel.map(frames.count) { LumaPlane(frames[$0]) }
        return try run(luma: luma, nonFinite: nil, input: input, thresholds: thresholds)
    }

    /// QC of float frames (values in [0, 1], as the engine produces them before 8-bit
    /// conversion). Adds the NaN/Inf check; frames containing non-finite values are reported
    /// there and left out of every other metric.
    public static func check(floatFrames: [FloatFrame], input: RGBImage,
                             thresholds: QCThresholds = .standard) throws -> QCReport {
        guard let first = floatFrames.first else { throw QCError.noFrames }
        try validate(sizes: floatFrames.map { ($0.width, $0.height) }, first: (first.width, first.height))
        for (i, f) in floatFrames.enumerated() where f.values.count != f.width * f.height * 3 {
            throw QCError.floatFrameValueCount(index: i, count: f.values.count, expected: f.width * f.height * 3)
        }
        try thresholds.validate()
        let converted = Parallel.map(floatFrames.count) { floatFrames[$0].luma() }
        return try run(luma: converted.map(\.plane), nonFinite: converted.map(\.nonFinite), input: input,
                       thresholds: thresholds)
    }

    private static func validate(sizes: [(Int, Int)], first: (Int, Int)) throws {
        for (i, s) in sizes.enumerated() where s != first {
            throw QCError.frameSizeMismatch(index: i, width: s.0, height: s.1, expectedWidth: first.0, expectedHeight: first.1)
        }
        guard first.0 >= minimumSide, first.1 >= minimumSide else {
            throw QCError.frameTooSmall(width: first.0, height: first.1, minimumSide: minimumSide)
        }
    }

    private static func run(luma: [LumaPlane], nonFinite: [Int]?, input: RGBImage,
                            thresholds: QCThresholds) throws -> QCReport {
        let w = luma[0].width, h = luma[0].height
        let frameAspect = Double(w) / Double(h), inputAspect = Double(input.width) / Double(input.height)
        guard abs(inputAspect / frameAspect - 1) <= 0.02 else {
            throw QCError.inputAspectMismatch(inputWidth: input.width, inputHeight: input.height, frameWidth: w, frameHeight: h)
        }
        let inputLuma = LumaPlane(input).resampled(width: w, height: h)
        let analysis = ClipAnalysis(frames: luma, nonFinite: nonFinite ?? [], input: inputLuma, thresholds: thresholds)
        let built = QCChecks(analysis, thresholds, floatInput: nonFinite != nil)
        let failures = built.checks.filter(\.failed).map { "\($0.id.rawValue): \($0.reason ?? "failed")" }
        return QCReport(
            version: QualityModule.reportVersion,
            passed: failures.isEmpty,
            frameCount: luma.count, width: w, height: h,
            failures: failures,
            checks: built.checks,
            analysis: QCAnalysis(
                motionScale: analysis.motionScale,
                motionPlaneWidth: analysis.planeWidth, motionPlaneHeight: analysis.planeHeight,
                phaseWindowWidth: analysis.windowWidth, phaseWindowHeight: analysis.windowHeight,
                ssimScale: analysis.ssimScale,
                fidelityFrame: analysis.fidelityFrame,
                analysedFrames: analysis.analysed,
                inputMeanLuma: analysis.inputMean, inputStdLuma: analysis.inputStd,
                inputLaplacianVariance: analysis.inputLaplacianVariance),
            series: built.series,
            thresholds: thresholds)
    }
}
