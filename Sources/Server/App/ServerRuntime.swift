import Foundation
import Hummingbird
import Jobs
import Logging

/// Runs `i2v serve`: locks the data directory, prepares keys and secrets, opens the store, builds
/// the application, prints where it listens and which engines it has, and serves until SIGINT or
/// SIGTERM (graceful shutdown).
public enum ServerRuntime {
    public static func serve(
        _ config: ServerConfig, pipeline: any JobPipeline, planner: any PlanningService,
        verifyImage: (@Sendable ([UInt8]) throws -> Void)?, logger: Logger
    ) async throws {
        let layout = StorageLayout(data: config.dataURL, outputs: config.outputsURL)
        try layout.createDirectories()
        let lock = try DataDirectoryLock(path: layout.lockFile)
        var keys = config.apiKeys
        var generatedKey: String?
        if config.requiresAPIKey && keys.isEmpty {
            let key = try GeneratedSecret.loadOrCreate(layout.generatedKeyFile, prefix: "i2v_")
            keys = [key]
            generatedKey = key
        }
        let secret = config.webhookSecret.isEmpty ? try GeneratedSecret.loadOrCreate(layout.webhookSecretFile) : config.webhookSecret
        let store = try SQLiteJobStore(path: layout.database.path)
        let dependencies = AppDependencies(
            store: store, pipeline: pipeline, planner: planner, verifyImage: verifyImage, apiKeys: keys, webhookSecret: secret,
            recoverLeasesOnStart: true)
        let (app, _) = try buildApplication(config, dependencies: dependencies, logger: logger) { port in
            print(banner(config, port: port, engines: pipeline.engines, generatedKey: generatedKey, keyFile: layout.generatedKeyFile))
            fflush(stdout)
        }
        try await app.runService()
        withExtendedLifetime(lock) {}
    }

    static func banner(_ config: ServerConfig, port: Int, engines: [EngineStatus], generatedKey: String?, keyFile: URL) -> String {
        let shownHost = ["0.0.0.0", "::", ""].contains(config.host) ? "localhost" : config.host
        let url = "http://\(shownHost.contains(":") ? "[\(shownHost)]" : shownHost):\(port)/"
        var lines = ["i2v \(AppServices.version) listening on \(config.host):\(port)", "  open \(url)"]
        if ["0.0.0.0", "::"].contains(config.host) {
            let name = ProcessInfo.processInfo.hostName
            if !name.isEmpty && name != "localhost" { lines.append("  or   http://\(name):\(port)/ from other machines") }
        }
        for engine in engines {
            lines.append("  engine \(engine.name): \(engine.state.rawValue)\(engine.detail.isEmpty ? "" : " — \(engine.detail)")")
        }
        lines.append("  workers: \(config.workers)   data: \(config.dataURL.path)   outputs: \(config.outputsURL.path)")
        if config.requiresAPIKey {
            if let generatedKey {
                lines.append("  API key (saved in \(keyFile.path)): \(generatedKey)")
                lines.append("  sign in: \(url)#key=\(generatedKey)")
            } else {
                lines.append("  API keys required (Authorization: Bearer <key>)")
            }
        } else if config.auth == .disabled && !config.listensOnLoopbackOnly {
            lines.append("  WARNING: authentication is disabled while listening beyond loopback")
        }
        return lines.joined(separator: "\n")
    }
}
