/// The procedural motions the template renderer can play. Raw values are the names used in
/// templates.json.
public enum MotionKind: String, Codable, Sendable, CaseIterable {
    /// Camera moves towards the product (zoom in), eased.
    case pushIn = "push_in"
    /// Camera moves away from the product (zoom out), eased.
    case pullOut = "pull_out"
    /// Camera slides along `direction`.
    case pan
    /// Orbit-style parallax: foreground and background shift against each other, the product
    /// foreshortens slightly, as if the camera circled it.
    case orbit
    /// Smooth horizontal warp of the lower part of the product (fabric in a breeze).
    case sway
    /// A soft specular highlight passes across the product.
    case lightSweep = "light_sweep"
    /// Small fast oscillation of the product (toothbrush, massager).
    case vibrate
    /// The product floats up and down gently over a still background.
    case float
}

/// Time curve of one-way moves (push-in, pull-out, pan, light sweep) when the clip does not loop.
public enum Easing: String, Codable, Sendable, CaseIterable {
    case linear
    case easeInOut = "ease_in_out"
    case easeOut = "ease_out"
}

/// One motion with its amplitude. Units of `amount` at motion strength 1:
/// push_in/pull_out: relative zoom (0.12 = 12 %); pan: travel as a fraction of the frame width;
/// orbit: foreground parallax shift as a fraction of the width; sway: amplitude as a fraction of
/// the width; light_sweep: highlight intensity 0...1; vibrate: amplitude as a fraction of the
/// width; float: amplitude as a fraction of the height.
public struct MotionEffect: Codable, Sendable, Equatable {
    public var kind: MotionKind
    public var amount: Double
    /// Degrees, 0 = towards the right, 90 = downwards (pan, light sweep). The seed may flip it
    /// when `randomDirection` is true.
    public var direction: Double?
    /// Oscillations over the clip (sway, float, vibrate, orbit). Rounded to whole cycles when
    /// the clip loops.
    public var cycles: Double?
    /// Sway: fraction of the product height (from its top) below which the fabric moves.
    public var region: Double?
    /// Whether the seed may mirror the direction / phase of the motion.
    public var randomDirection: Bool?

    public init(kind: MotionKind, amount: Double, direction: Double? = nil, cycles: Double? = nil,
                region: Double? = nil, randomDirection: Bool? = nil) {
        self.kind = kind
        self.amount = amount
        self.direction = direction
        self.cycles = cycles
        self.region = region
        self.randomDirection = randomDirection
    }
}

/// The renderer's full motion description: several effects play at once.
public struct MotionSpec: Codable, Sendable, Equatable {
    public var effects: [MotionEffect]
    public var easing: Easing
    /// When true, every effect is periodic over the clip so the last frame leads smoothly
    /// into the first (one-way moves go out and back).
    public var loop: Bool

    public init(effects: [MotionEffect], easing: Easing = .easeInOut, loop: Bool = true) {
        self.effects = effects
        self.easing = easing
        self.loop = loop
    }
}
