import Media

/// Motion: the strategy engine (category → motion template → prompt and parameters) and the
/// procedural template renderer that animates a photo without model weights.
public enum MotionModule {
    /// Version of the templates.json / categories.json schema this code reads.
    public static let templateSchemaVersion = 1
}
