import Foundation
import XCTest

/// Runs the real `ffprobe` (installed by scripts/bootstrap.sh) and returns its JSON output.
func ffprobe(_ url: URL, countFrames: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let path = ["/usr/bin/ffprobe", "/usr/local/bin/ffprobe"].first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else {
        XCTFail("ffprobe is not installed (scripts/bootstrap.sh installs the ffmpeg package)", file: file, line: line)
        throw CocoaError(.fileNoSuchFile)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    var args = ["-v", "error", "-select_streams", "v:0"]
    if countFrames { args.append("-count_frames") }
    args += ["-show_entries",
             "stream=codec_name,profile,pix_fmt,width,height,avg_frame_rate,r_frame_rate,nb_read_frames,nb_frames,color_primaries,color_transfer,color_space,color_range:format=format_name,duration",
             "-of", "json", url.path]
    process.arguments = args
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "ffprobe failed on \(url.lastPathComponent)", file: file, line: line)
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

func probeStream(_ json: [String: Any]) -> [String: Any] {
    ((json["streams"] as? [[String: Any]]) ?? []).first ?? [:]
}

/// Top-level MP4 box types in file order ("ftyp", "moov", "mdat", …), read from the box headers.
func mp4TopLevelBoxes(_ url: URL) throws -> [String] {
    let data = [UInt8](try Data(contentsOf: url))
    var boxes: [String] = []
    var offset = 0
    while offset + 8 <= data.count {
        var size = Int(data[offset]) << 24 | Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
        let type = String(decoding: data[(offset + 4)..<(offset + 8)], as: UTF8.self)
        if size == 1, offset + 16 <= data.count {   // 64-bit size
            size = data[(offset + 8)..<(offset + 16)].reduce(0) { $0 << 8 | Int($1) }
        } else if size == 0 {
            size = data.count - offset
        }
        guard size >= 8 else { break }
        boxes.append(type)
        offset += size
    }
    return boxes
}
