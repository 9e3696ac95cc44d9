import Foundation

/// The family a check belongs to.
public enum QCCategory: String, Codable, Sendable, CaseIterable {
    case sharpness, jitter, flicker, fidelity, frames, motion
}

/// Every check, with its stable JSON id.
public enum QCCheckID: String, Codable, Sendable, CaseIterable {
    case sharpnessMinFrameRatio = "sharpness.minFrameRatio"
    case sharpnessMeanRatio = "sharpness.meanRatio"
    case jitterHighFrequency = "jitter.pathHighFrequencyRMS"
    case jitterSignFlips = "jitter.shiftSignFlipRate"
    case flickerHighFrequency = "flicker.brightnessHighFrequencyRMS"
    case flickerSignFlips = "flicker.brightnessSignFlipRate"
    case fidelitySSIM = "fidelity.firstFrameSSIM"
    case badFrames = "frames.blank"
    case nonFiniteFrames = "frames.nonFinite"
    case frozenPairs = "frames.frozenPairFraction"
    case lastFrameDetail = "frames.lastFrameDetail"
    case motionChangeFromFirstFrame = "motion.changeFromFirstFrame"
    case motionMaxDifference = "motion.maxFrameDifference"
    case motionDisplacement = "motion.maxDisplacement"
    case motionDifferenceSpike = "motion.frameDifferenceSpike"

    public var category: QCCategory {
        switch self {
        case .sharpnessMinFrameRatio, .sharpnessMeanRatio: return .sharpness
        case .jitterHighFrequency, .jitterSignFlips: return .jitter
        case .flickerHighFrequency, .flickerSignFlips: return .flicker
        case .fidelitySSIM: return .fidelity
        case .badFrames, .nonFiniteFrames, .frozenPairs, .lastFrameDetail: return .frames
        case .motionChangeFromFirstFrame, .motionMaxDifference, .motionDisplacement, .motionDifferenceSpike: return .motion
        }
    }
}

public enum QCComparison: String, Codable, Sendable {
    /// value ≥ threshold passes.
    case atLeast = ">="
    /// value ≤ threshold passes.
    case atMost = "<="

    func passes(_ value: Double, _ threshold: Double) -> Bool {
        self == .atLeast ? value >= threshold : value <= threshold
    }
}

public enum QCStatus: String, Codable, Sendable {
    case pass, fail
    /// Not measurable on this clip (e.g. fewer than two usable frames); never fails the clip.
    case skipped
}

/// One metric against one threshold.
public struct QCCheck: Codable, Sendable, Equatable {
    public var id: QCCheckID
    public var category: QCCategory
    /// nil when skipped.
    public var value: Double?
    public var threshold: Double
    public var comparison: QCComparison
    public var unit: String
    public var status: QCStatus
    /// Why it failed (or was skipped), in words; nil on pass.
    public var reason: String?

    public var failed: Bool { status == .fail }
}

/// Per-frame and per-pair series behind the metrics, for plots and debugging.
/// Per-frame arrays have one entry per frame (null where a frame was not analysed); per-pair
/// arrays have one entry per analysed pair, `pairs[k]` naming its two frame indices.
public struct QCSeries: Codable, Sendable, Equatable {
    /// "ok", "blank", "black", "white" or "nonFinite".
    public var frameKind: [String] = []
    public var meanLuma: [Double] = []
    public var stdLuma: [Double] = []
    /// Laplacian variance of the frame over that of the input.
    public var sharpnessRatio: [Double?] = []
    /// Non-finite values per frame (float input only).
    public var nonFiniteValues: [Int]?
    /// Camera path (cumulative global shift from the first analysed frame), % short side.
    public var pathX: [Double?] = []
    public var pathY: [Double?] = []
    /// Distance of the path from its smoothed version, % short side.
    public var pathHighFrequency: [Double?] = []
    /// Cumulative motion-compensated brightness change, levels, and its high-frequency part.
    public var brightnessPath: [Double?] = []
    public var brightnessHighFrequency: [Double?] = []

    public var pairs: [[Int]] = []
    /// Global shift of each pair, pixels of the full-resolution frame.
    public var shiftX: [Double] = []
    public var shiftY: [Double] = []
    /// Phase-correlation peak of each pair (trust in the shift, 0…1).
    public var correlationPeak: [Double] = []
    /// Mean absolute luma difference of each pair (analysis scale), levels.
    public var frameDifference: [Double] = []
    /// Motion-compensated mean-luma change of each pair, levels.
    public var brightnessChange: [Double] = []
    /// Mean absolute luma difference of each frame from the first analysed frame on the coarse
    /// planes (analysis planes box-averaged 4× more), levels.
    public var changeFromFirstFrame: [Double?] = []
    /// Pairs with nothing in common (a cut), left out of the jitter and flicker paths.
    public var discontinuity: [Bool] = []
}

/// How the clip was analysed.
public struct QCAnalysis: Codable, Sendable, Equatable {
    /// Box-average factor of the motion analysis planes.
    public var motionScale: Int
    public var motionPlaneWidth: Int
    public var motionPlaneHeight: Int
    /// Phase-correlation window (powers of two), motion-plane pixels.
    public var phaseWindowWidth: Int
    public var phaseWindowHeight: Int
    /// Box-average factor applied before the fidelity SSIM.
    public var ssimScale: Int
    /// Frame compared with the input for fidelity (0 unless frame 0 was unusable).
    public var fidelityFrame: Int?
    /// Frames used by the temporal metrics (the ones classified "ok").
    public var analysedFrames: [Int]
    public var inputMeanLuma: Double
    public var inputStdLuma: Double
    public var inputLaplacianVariance: Double
}

public struct QCReport: Codable, Sendable, Equatable {
    public var version: Int
    public var passed: Bool
    public var frameCount: Int
    public var width: Int
    public var height: Int
    /// One line per failed check.
    public var failures: [String]
    public var checks: [QCCheck]
    public var analysis: QCAnalysis
    public var series: QCSeries
    public var thresholds: QCThresholds

    public func check(_ id: QCCheckID) -> QCCheck? { checks.first { $0.id == id } }

    public var failedChecks: [QCCheckID] { checks.filter(\.failed).map(\.id) }

    public var failedCategories: Set<QCCategory> { Set(checks.filter(\.failed).map(\.category)) }

    /// The report as JSON (sorted keys, pretty by default).
    public func jsonData(pretty: Bool = true) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        return try e.encode(self)
    }

    /// A short human summary: one line per check.
    public var summary: String {
        var lines = ["QC \(passed ? "PASSED" : "FAILED"): \(frameCount) frames \(width)x\(height)"]
        for c in checks {
            let v = c.value.map { String(format: "%.4g", $0) } ?? "-"
            let mark = c.status == .pass ? "ok  " : (c.status == .fail ? "FAIL" : "skip")
            var line = "  \(mark) \(c.id.rawValue) = \(v) (\(c.comparison.rawValue) \(String(format: "%.4g", c.threshold)) \(c.unit))"
            if let r = c.reason { line += ": \(r)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
