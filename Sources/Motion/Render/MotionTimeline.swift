import Foundation

/// Per-frame motion parameters, computed from the spec, the motion strength and the seed.
/// Lengths are in output pixels; the frame centre is the origin.
struct FrameMotion {
    var zoom: Double = 1
    /// Point the zoom is centred on.
    var zoomCentre: SIMD2<Double> = .zero
    /// Camera translation (content moves by −pan).
    var pan: SIMD2<Double> = .zero
    /// Foreground-weighted translation (orbit parallax, float, vibrate).
    var foregroundShift: SIMD2<Double> = .zero
    /// Background translation against the foreground (orbit parallax), background-weighted.
    var backgroundShift: SIMD2<Double> = .zero
    /// Horizontal foreshortening of the foreground about `productCentre` (1 = none).
    var foreshorten: Double = 1
    /// Sway: horizontal amplitude at the hem and the wave phase.
    var swayAmplitude: Double = 0
    var swayPhase: Double = 0
    /// Light sweep: position of the band along its direction, its intensity.
    var sweepPosition: Double = 0
    var sweepIntensity: Double = 0
}

/// Frame-independent motion constants plus the per-frame parameters.
struct MotionTimeline {
    let frames: [FrameMotion]
    /// Unit vector of the light sweep band's travel.
    let sweepDirection: SIMD2<Double>
    /// Half width of the sweep band (output px).
    let sweepWidth: Double
    /// Sway: the row (output px, centred) where motion starts and the row of the hem.
    let swayTop: Double
    let swayBottom: Double
    /// Sway wave length in output px (the phase lag down the fabric).
    let swayWavelength: Double
    let productCentre: SIMD2<Double>
    /// Largest zoom of the clip (for the working image resolution).
    let maxZoom: Double
    /// Largest content displacement of the clip in output px (for edge margins).
    let maxShift: Double

    /// `bounds` are the product bounds in normalised frame coordinates.
    init(spec: MotionSpec, strength: Double, seed: UInt64, frameCount n: Int, width: Int, height: Int,
         bounds: (x0: Double, y0: Double, x1: Double, y1: Double)) {
        let W = Double(width), H = Double(height)
        let centre = SIMD2((bounds.x0 + bounds.x1) / 2 * W - W / 2, (bounds.y0 + bounds.y1) / 2 * H - H / 2)
        productCentre = centre
        var rng = SeededRandom(seed: seed)
        // Draw the random choices of every effect up front, in spec order, so the sequence
        // depends only on the seed and the spec.
        struct Draw { var sign: Double; var angleJitter: Double }
        let draws = spec.effects.map { e -> Draw in
            let flip = rng.unit() < 0.5
            let jitter = rng.unit() * 2 - 1
            let random = e.randomDirection ?? false
            return Draw(sign: random && flip ? -1 : 1, angleJitter: random ? jitter * 15 : 0)
        }

        var sweepDir = SIMD2(cos(30 * Double.pi / 180), sin(30 * Double.pi / 180))
        var sweepW = 0.1 * max(W, H)
        let productH = max(1, (bounds.y1 - bounds.y0) * H)
        var swayTop = centre.y, swayBottom = centre.y + productH / 2
        var swayWave = productH
        var maxZoom = 1.0, maxShift = 0.0
        var list = [FrameMotion](repeating: FrameMotion(), count: n)

        for i in 0..<n {
            // φ: loop phase in [0, 1) (frame n would be frame 0); τ: one-way progress in [0, 1].
            let phi = Double(i) / Double(n)
            let tau = n > 1 ? Double(i) / Double(n - 1) : 0
            let oneWay = spec.loop ? (1 - cos(2 * Double.pi * phi)) / 2 : Easing.apply(spec.easing, tau)
            var f = FrameMotion()
            f.zoomCentre = centre * 0.5
            for (k, e) in spec.effects.enumerated() {
                let a = e.amount * strength
                let d = draws[k]
                let cyc = MotionTimeline.cycles(e.cycles ?? 1, loop: spec.loop)
                let osc = sin(2 * Double.pi * cyc * phi)
                let angle = ((e.direction ?? 0) + d.angleJitter) * Double.pi / 180
                let dir = SIMD2(cos(angle), sin(angle)) * d.sign
                switch e.kind {
                case .pushIn:
                    f.zoom *= 1 + a * oneWay
                case .pullOut:
                    f.zoom *= 1 + a * (1 - oneWay)
                case .pan:
                    let travel = spec.loop ? sin(2 * Double.pi * phi) / 2 : oneWay
                    f.pan += dir * (a * W * travel)
                case .orbit:
                    let s = a * W * osc * d.sign
                    f.foregroundShift.x += s
                    f.backgroundShift.x -= 0.4 * s
                    f.foreshorten *= 1 - 0.6 * a * abs(osc)
                case .sway:
                    f.swayAmplitude += a * W * d.sign
                    f.swayPhase = 2 * Double.pi * cyc * phi
                case .vibrate:
                    // Two incommensurate-looking harmonics, both whole cycles so the loop closes.
                    let c2 = (cyc * 1.5).rounded()
                    let second: Double = sin(2 * Double.pi * c2 * phi)
                    let third: Double = sin(2 * Double.pi * c2 * phi + Double.pi / 3)
                    f.foregroundShift.x += a * W * (0.7 * osc + 0.3 * second) * d.sign
                    f.foregroundShift.y += a * W * 0.35 * third
                case .float:
                    f.foregroundShift.y -= a * H * osc
                case .lightSweep:
                    sweepDir = SIMD2(cos(angle), sin(angle)) * d.sign
                    sweepW = max(8, 0.09 * max(W, H))
                    f.sweepIntensity = a
                    // The band travels across the whole frame once and is off-frame at both ends,
                    // so first and last frames match for a loop.
                    let reachX: Double = abs(sweepDir.x) * W / 2
                    let reachY: Double = abs(sweepDir.y) * H / 2
                    let reach: Double = reachX + reachY + 3 * sweepW
                    let p = spec.loop ? phi : tau
                    f.sweepPosition = -reach + 2 * reach * p
                }
                if e.kind == .sway {
                    let region = min(max(e.region ?? 0.35, 0), 0.95)
                    let top = (bounds.y0 + region * (bounds.y1 - bounds.y0)) * H - H / 2
                    swayTop = top
                    swayBottom = max(top + 1, bounds.y1 * H - H / 2)
                    swayWave = max(32, 1.6 * (swayBottom - swayTop))
                }
            }
            maxZoom = max(maxZoom, f.zoom)
            let panLength: Double = (f.pan * f.pan).sum().squareRoot()
            let fgLength: Double = (f.foregroundShift * f.foregroundShift).sum().squareRoot()
            let shift: Double = panLength + fgLength + abs(f.backgroundShift.x) + abs(f.swayAmplitude)
            maxShift = max(maxShift, shift)
            list[i] = f
        }
        frames = list
        sweepDirection = sweepDir
        sweepWidth = sweepW
        self.swayTop = swayTop
        self.swayBottom = swayBottom
        swayWavelength = swayWave
        self.maxZoom = maxZoom
        self.maxShift = maxShift
    }

    /// Whole cycles when looping (at least one), otherwise as given.
    static func cycles(_ c: Double, loop: Bool) -> Double {
        loop ? max(1, c.rounded()) : max(0, c)
    }
}

extension Easing {
    static func apply(_ e: Easing, _ t: Double) -> Double {
        let x = min(max(t, 0), 1)
        switch e {
        case .linear: return x
        case .easeInOut: return x * x * (3 - 2 * x)
        case .easeOut: return 1 - (1 - x) * (1 - x)
        }
    }
}
