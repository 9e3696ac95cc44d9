import Media

/// Quality: automatic checks of a generated clip (sharpness, jitter, flicker, fidelity,
/// blank/frozen frames, motion) and the JSON report they produce.
public enum QualityModule {
    public static let reportVersion = 1
}
