import Foundation

/// Every limit the video QC applies. Defaults are documented per field (and in docs/QC.md).
/// Units: "levels" are 8-bit luma levels (0…255); "% short side" is a distance as a percentage of
/// the frame's shorter side, so motion limits mean the same at every resolution.
///
/// JSON form: a flat object of numbers keyed by the field names below. A partial object overrides
/// only the fields it names; an unknown key or a value out of range is an error naming the field.
public struct QCThresholds: Sendable, Equatable {
    // MARK: sharpness
    /// Lowest allowed Laplacian-variance ratio frame / input for any single frame. Default 0.2.
    public var sharpnessMinFrameRatio = 0.2
    /// Lowest allowed mean over frames of that ratio. Default 0.35.
    public var sharpnessMinMeanRatio = 0.35

    // MARK: jitter
    /// Highest allowed RMS of the camera path's high-frequency part, % short side. Default 0.2.
    public var jitterMaxHighFrequencyRMS = 0.2
    /// Highest allowed fraction of consecutive frame-to-frame shifts that reverse direction. Default 0.5.
    public var jitterMaxSignFlipRate = 0.5
    /// Shifts smaller than this (% short side) never count as a reversal. Default 0.1.
    public var jitterDeadZone = 0.1

    // MARK: flicker
    /// Highest allowed RMS of the high-frequency part of the (motion-compensated) brightness
    /// path, levels. Default 1.5.
    public var flickerMaxHighFrequencyRMS = 1.5
    /// Highest allowed fraction of consecutive brightness changes that alternate in sign. Default 0.5.
    public var flickerMaxSignFlipRate = 0.5
    /// Brightness changes smaller than this (levels) never count as an alternation. Default 0.5.
    public var flickerDeadZone = 0.5

    /// σ (in frames) of the local linear smoothing that separates a path's intended motion from its
    /// high-frequency part, for both the camera and the brightness path. Default 2.
    public var pathSmoothingSigma = 2.0

    // MARK: fidelity
    /// Lowest allowed SSIM of the first frame to the prepared input (at `fidelityShortSide`). Default 0.6.
    public var fidelityMinSSIM = 0.6

    // MARK: frames
    /// A frame whose luma std is at most this (levels) is blank. Default 2.
    public var blankMaxStd = 2.0
    /// …or at most this fraction of the input's luma std. Default 0.08.
    public var blankMaxStdRatio = 0.08
    /// A frame with mean luma at most this is black (unless the input itself is that dark). Default 16.
    public var blackMaxMean = 16.0
    /// A frame with mean luma at least this is white (unless the input itself is that bright). Default 240.
    public var whiteMinMean = 240.0
    /// Highest allowed number of blank, black or white frames. Default 0.
    public var maxBadFrames = 0.0
    /// Highest allowed number of frames containing NaN or ±Inf (float input only). Default 0.
    public var maxNonFiniteFrames = 0.0
    /// Consecutive frames whose mean absolute luma difference is at most this (levels) are
    /// frozen (identical). Default 0.1.
    public var frozenMaxDifference = 0.1
    /// Highest allowed fraction of consecutive frame pairs that are frozen. Default 0.2.
    public var maxFrozenPairFraction = 0.2
    /// Lowest allowed luma std of the last frame relative to the median of the other frames
    /// (catches the washed-out / blank last frame). Default 0.5.
    public var lastFrameMinDetailRatio = 0.5

    // MARK: motion
    /// Lowest allowed largest departure from the first frame: mean absolute luma difference on
    /// the coarse planes (short side 40–80 px, where per-pixel noise averages away but motion
    /// does not), levels. Below it the model failed to animate. Default 1.
    public var motionMinChangeFromFirstFrame = 1.0
    /// Highest allowed mean absolute luma difference of any consecutive pair, levels: above it
    /// the content changes too much between frames (cut, morph, distortion). Default 30.
    public var motionMaxFrameDifference = 30.0
    /// Highest allowed distance of the camera path from frame 0, % short side. Default 25.
    public var motionMaxDisplacement = 25.0
    /// Highest allowed ratio of the largest consecutive-pair difference to the clip's median
    /// pair difference (the median floored at `motionSpikeFloor`): a spike is a cut or a
    /// sudden jump in an otherwise continuous clip. Default 4.
    public var motionMaxDifferenceSpike = 4.0
    /// Floor of the median pair difference in the spike ratio, levels, so that a nearly still
    /// clip does not turn every small change into a spike. Default 0.5.
    public var motionSpikeFloor = 0.5

    // MARK: analysis
    /// Motion metrics run on luma box-averaged by max(1, ⌊short side / this⌋), i.e. to a short
    /// side between this and twice this. Default 160 (pixels).
    public var analysisShortSide = 160.0
    /// Fidelity SSIM runs on luma box-averaged by max(1, round(short side / this)), so that it
    /// compares the product's layout and shape (detail is the sharpness check's job) and means
    /// the same at every resolution. Default 128 (pixels).
    public var fidelityShortSide = 128.0

    public init() {}

    /// The defaults.
    public static let standard = QCThresholds()
}

extension QCThresholds {
    struct Field {
        let name: String
        let keyPath: WritableKeyPath<QCThresholds, Double>
        let range: ClosedRange<Double>
    }

    /// Every field with its JSON name and allowed range.
    static let fields: [Field] = [
        Field(name: "sharpnessMinFrameRatio", keyPath: \.sharpnessMinFrameRatio, range: 0...1e6),
        Field(name: "sharpnessMinMeanRatio", keyPath: \.sharpnessMinMeanRatio, range: 0...1e6),
        Field(name: "jitterMaxHighFrequencyRMS", keyPath: \.jitterMaxHighFrequencyRMS, range: 0...100),
        Field(name: "jitterMaxSignFlipRate", keyPath: \.jitterMaxSignFlipRate, range: 0...1),
        Field(name: "jitterDeadZone", keyPath: \.jitterDeadZone, range: 0...100),
        Field(name: "flickerMaxHighFrequencyRMS", keyPath: \.flickerMaxHighFrequencyRMS, range: 0...255),
        Field(name: "flickerMaxSignFlipRate", keyPath: \.flickerMaxSignFlipRate, range: 0...1),
        Field(name: "flickerDeadZone", keyPath: \.flickerDeadZone, range: 0...255),
        Field(name: "pathSmoothingSigma", keyPath: \.pathSmoothingSigma, range: 0.5...100),
        Field(name: "fidelityMinSSIM", keyPath: \.fidelityMinSSIM, range: -1...1),
        Field(name: "blankMaxStd", keyPath: \.blankMaxStd, range: 0...255),
        Field(name: "blankMaxStdRatio", keyPath: \.blankMaxStdRatio, range: 0...1),
        Field(name: "blackMaxMean", keyPath: \.blackMaxMean, range: 0...255),
        Field(name: "whiteMinMean", keyPath: \.whiteMinMean, range: 0...255),
        Field(name: "maxBadFrames", keyPath: \.maxBadFrames, range: 0...1e9),
        Field(name: "maxNonFiniteFrames", keyPath: \.maxNonFiniteFrames, range: 0...1e9),
        Field(name: "frozenMaxDifference", keyPath: \.frozenMaxDifference, range: 0...255),
        Field(name: "maxFrozenPairFraction", keyPath: \.maxFrozenPairFraction, range: 0...1),
        Field(name: "lastFrameMinDetailRatio", keyPath: \.lastFrameMinDetailRatio, range: 0...1e6),
        Field(name: "motionMinChangeFromFirstFrame", keyPath: \.motionMinChangeFromFirstFrame, range: 0...255),
        Field(name: "motionMaxFrameDifference", keyPath: \.motionMaxFrameDifference, range: 0...255),
        Field(name: "motionMaxDisplacement", keyPath: \.motionMaxDisplacement, range: 0...1e6),
        Field(name: "motionMaxDifferenceSpike", keyPath: \.motionMaxDifferenceSpike, range: 1...1e6),
        Field(name: "motionSpikeFloor", keyPath: \.motionSpikeFloor, range: 0...255),
        Field(name: "analysisShortSide", keyPath: \.analysisShortSide, range: 16...4096),
        Field(name: "fidelityShortSide", keyPath: \.fidelityShortSide, range: 16...4096),
    ]

    /// Throws `QCError.invalidThreshold` for the first field outside its range (or not finite).
    public func validate() throws {
        for f in Self.fields {
            let v = self[keyPath: f.keyPath]
            guard v.isFinite, f.range.contains(v) else {
                throw QCError.invalidThreshold(name: f.name, value: v,
                                               allowed: "\(f.range.lowerBound)...\(f.range.upperBound)")
            }
        }
    }

    /// Decodes a (possibly partial) JSON object of thresholds over the defaults.
    public static func fromJSON(_ data: Data) throws -> QCThresholds {
        do {
            return try JSONDecoder().decode(QCThresholds.self, from: data)
        } catch let e as QCError {
            throw e
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw QCError.thresholdsNotReadable(detail: "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)")
        } catch {
            throw QCError.thresholdsNotReadable(detail: "\(error)")
        }
    }
}

extension QCThresholds: Codable {
    public init(from decoder: Decoder) throws {
        self.init()
        let object = try decoder.singleValueContainer().decode([String: Double].self)
        let byName = Dictionary(uniqueKeysWithValues: Self.fields.map { ($0.name, $0) })
        for (key, value) in object {
            guard let field = byName[key] else { throw QCError.unknownThreshold(name: key) }
            self[keyPath: field.keyPath] = value
        }
        try validate()
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for f in Self.fields { try c.encode(self[keyPath: f.keyPath], forKey: Key(f.name)) }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
