import Media

/// Quality: automatic checks of a generated clip (sharpness, jitter, flicker, fidelity,
/// blank/frozen/NaN frames, motion) and the JSON report they produce. Entry point: `VideoQC`.
public enum QualityModule {
    /// Version of the `QCReport` JSON layout.
    public static let reportVersion = 1
}
