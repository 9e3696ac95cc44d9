import ArgumentParser
import Foundation
import Media

struct MediaProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Show what a file holds: image format, size, orientation; or video codec, fps, frames, duration.")

    @Argument(help: "Image (JPEG/PNG/WebP, recognised by content) or video (MP4, animated WebP, GIF, …).")
    var file: String

    @Flag(help: "Print one JSON object instead of aligned lines.")
    var json = false

    func run() throws {
        let result = try MediaProbe.probe(URL(fileURLWithPath: file))
        if json {
            var object: [String: String] = [:]
            for (k, v) in result.fields { object[k] = v }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            let width = result.fields.map(\.0.count).max() ?? 0
            for (k, v) in result.fields { print(k.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + v) }
        }
    }
}
