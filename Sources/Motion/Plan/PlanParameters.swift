import Media

/// Parameter choices of the planner, each returning its reason.
enum PlanParameters {
    static func pick<T: Comparable & CustomStringConvertible>(_ given: T?, _ fromTemplate: T, name: String, range: ClosedRange<T>,
                                                              reasons: inout [String: String], key: String, source: String) throws -> T {
        if let g = given {
            guard range.contains(g) else {
                throw MotionError.invalidParameter(name: name, value: g.description, expected: "\(range.lowerBound)...\(range.upperBound)")
            }
            reasons[key] = "\(name) \(g) given explicitly"
            return g
        }
        reasons[key] = "\(name) \(fromTemplate) from template '\(source)'"
        return fromTemplate
    }

    /// Frame size: explicit width/height, else aspect (explicit, template, or the photo's nearest
    /// preset) at the short side (explicit or template), on the engine's size grid.
    static func size(options: PlanOverrides, template: MotionTemplate, image: RGBImage?, engine: Engine) throws -> (width: Int, height: Int, reason: String) {
        // Derived sizes sit on a 16-pixel grid (whole H.264 macroblocks) or the 64-pixel grid the
        // diffusion UNet downsamples cleanly; explicit sizes only need what each engine accepts:
        // even sides for the template renderer, multiples of 8 for the I2VGen-XL pipeline (what
        // `i2v generate --width/--height` has always allowed).
        let multiple = engine == .i2vgenXL ? 64 : 16
        let explicitMultiple = engine == .i2vgenXL ? 8 : 2
        let limit = 2048
        func check(_ v: Int, _ name: String) throws {
            guard v >= 64, v <= limit, v % explicitMultiple == 0 else {
                throw MotionError.invalidParameter(name: name, value: String(v), expected: "a multiple of \(explicitMultiple) in 64...\(limit) for the \(engine.rawValue) engine")
            }
        }
        if let w = options.width, let h = options.height {
            try check(w, "width"); try check(h, "height")
            return (w, h, "\(w)x\(h) given explicitly")
        }
        let aspectName = options.aspect ?? template.aspect
        let preset: AspectPreset
        var why: String
        if aspectName == "auto" {
            if let image {
                preset = AspectPreset.nearest(to: Double(image.width) / Double(image.height))
                why = "aspect \(preset.name) is the preset nearest the photo's \(image.width)x\(image.height)"
            } else {
                preset = AspectPreset.parse("1:1")!
                why = "aspect auto without a photo: 1:1"
            }
        } else if let p = AspectPreset.parse(aspectName) {
            preset = p
            why = options.aspect != nil ? "aspect \(p.name) given explicitly" : "aspect \(p.name) from template '\(template.id)'"
        } else {
            throw MotionError.invalidParameter(name: "aspect", value: aspectName, expected: "one of \(AspectPreset.names.joined(separator: ", ")), auto")
        }
        let short = options.resolution ?? template.resolution
        guard (64...limit).contains(short) else {
            throw MotionError.invalidParameter(name: "resolution", value: String(short), expected: "64...\(limit)")
        }
        var (w, h) = preset.size(shortSide: short, multiple: multiple)
        // One side given: keep it and derive the other from the aspect.
        if let gw = options.width {
            try check(gw, "width")
            w = gw; h = max(multiple, Int((Double(gw) / preset.ratio / Double(multiple)).rounded()) * multiple)
            why += "; width \(gw) given explicitly"
        } else if let gh = options.height {
            try check(gh, "height")
            h = gh; w = max(multiple, Int((Double(gh) * preset.ratio / Double(multiple)).rounded()) * multiple)
            why += "; height \(gh) given explicitly"
        } else {
            why += options.resolution != nil ? "; short side \(short) given explicitly" : "; short side \(short) from template '\(template.id)'"
        }
        try check(w, "width"); try check(h, "height")
        why += engine == .i2vgenXL ? "; sides on the 64-pixel grid the diffusion model needs" : "; sides on a 16-pixel grid"
        return (w, h, "\(w)x\(h): " + why)
    }

    /// The product colour worth naming in a prompt: the largest foreground cluster when it
    /// covers at least a quarter of the product.
    static func colourWord(_ cues: ImageCues?) -> String? {
        guard let c = cues?.colours.first, c.share >= 0.25 else { return nil }
        return c.name
    }
}

/// Fills `{noun}`, `{colour}` and `{colour_noun}` in template prompts.
enum PromptFiller {
    static func fill(_ pattern: String, noun: String, colour: String?) -> String {
        var s = pattern
        s = s.replacingOccurrences(of: "{colour_noun}", with: colour.map { "\($0) \(noun)" } ?? noun)
        s = s.replacingOccurrences(of: "{noun}", with: noun)
        s = s.replacingOccurrences(of: "{colour}", with: colour ?? "")
        // Collapse doubled spaces left by an empty colour.
        while s.contains("  ") { s = s.replacingOccurrences(of: "  ", with: " ") }
        return s.trimmingCharacters(in: .whitespaces)
    }
}

import Foundation
