import Foundation
import Media

/// The file-level edge of the QC (what `i2v media qc` calls): decodes a video and the prepared
/// input image with Media's decoders, reads thresholds from JSON, runs `VideoQC`, writes the
/// report. Errors name the file: `MediaError` for the decoders, `QCError` for the rest.
public enum VideoQCFiles {
    public static func check(video: URL, input: URL, thresholds: URL? = nil,
                             maxFrames: Int = 1000) throws -> QCReport {
        let t = try thresholds.map(loadThresholds) ?? .standard
        let prepared = try ImageDecoder.decode(contentsOf: input).image
        let frames = try VideoReader.readFrames(video, maxFrames: maxFrames)
        return try VideoQC.check(frames: frames, input: prepared, thresholds: t)
    }

    /// A (possibly partial) thresholds JSON file over the defaults.
    public static func loadThresholds(_ url: URL) throws -> QCThresholds {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw QCError.thresholdsFile(path: url.path, detail: "cannot read (\(error.localizedDescription))")
        }
        do { return try QCThresholds.fromJSON(data) } catch let e as QCError {
            throw QCError.thresholdsFile(path: url.path, detail: e.description)
        }
    }

    /// Writes the report as pretty JSON, atomically (readers never see a partial file).
    public static func write(_ report: QCReport, to url: URL) throws {
        do { try report.jsonData().write(to: url, options: .atomic) } catch {
            throw QCError.io(path: url.path, detail: "cannot write the QC report (\(error.localizedDescription))")
        }
    }
}
