import ArgumentParser

/// `i2v media …`: the media pipeline's stages, one sub-command each (logic lives in `Media`).
struct MediaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Probe, prepare and encode images and videos.",
        subcommands: [
            MediaProbeCommand.self,
            MediaPrepareCommand.self,
            MediaEncodeCommand.self,
            MediaQCCommand.self,
            MediaBenchCommand.self,
        ]
    )
}
