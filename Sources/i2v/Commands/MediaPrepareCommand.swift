import ArgumentParser
import Foundation
import Media

struct MediaPrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Decode a photo, apply EXIF orientation, and fit it to an aspect preset by crop or pad.",
        discussion: """
        --size is the short side (multiple of 8): 1:1 at 512 is 512x512, 16:9 at 720 is 1280x720, \
        3:4 at 512 is 512x680. Or give an exact WIDTHxHEIGHT (multiples of 8), e.g. --size 1280x704.
        """)

    @Option(name: .customLong("in"), help: "Input photo (JPEG, PNG or WebP).")
    var input: String

    @Option(help: "Aspect preset: 1:1, 3:4, 4:3, 9:16, 16:9 (or any W:H).")
    var aspect = "1:1"

    @Option(help: "Short side in px (e.g. 512) or WIDTHxHEIGHT.")
    var size = "512"

    @Option(help: "crop (center crop), pad (solid colour), edge (edge-extended pad) or blur (blurred-background pad).")
    var mode = "pad"

    @Option(help: "Pad colour (#RRGGBB, white, black, grey).")
    var padColor = "white"

    @Option(help: "Colour that transparent pixels are composited over.")
    var background = "white"

    @Option(help: "Resampling filter: lanczos, bicubic, bilinear, hamming, box.")
    var filter = "lanczos"

    @Option(help: "Largest accepted image, in megapixels.")
    var maxMegapixels = 40.0

    @Option(name: .customLong("out"), help: "Output image (.png, .jpg or .webp).")
    var output: String

    func run() throws {
        guard let resample = ResampleFilter(rawValue: filter.lowercased()) else {
            throw ValidationError("filter '\(filter)' is not one of \(ResampleFilter.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var decode = DecodeOptions(background: try RGBColor(parsing: background))
        decode.limits.maxPixels = Int(maxMegapixels * 1_000_000)
        let options = PrepareOptions(size: try TargetSize(aspect: aspect, size: size),
                                     mode: try FitMode(parsing: mode, padColor: try RGBColor(parsing: padColor)), filter: resample)
        let outURL = URL(fileURLWithPath: output)
        _ = try StillImageFormat(forOutput: outURL)
        let decoded = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: input), options: decode)
        let prepared = try ImagePreparer.prepare(decoded.image, options: options)
        try StillImageEncoder.write(prepared.image, to: outURL, quality: 95)
        print("\(output): \(prepared.image.width)x\(prepared.image.height) from \(decoded.format.rawValue) "
            + "\(decoded.storedWidth)x\(decoded.storedHeight) (orientation \(decoded.orientation.rawValue)), "
            + "content at \(prepared.contentX),\(prepared.contentY) \(prepared.contentWidth)x\(prepared.contentHeight)")
    }
}
