import ArgumentParser
import Foundation
import Logging
import Server

/// `i2v serve`: the web UI, the REST API and the engine workers in one process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web UI, the REST API and the engine workers (default http://0.0.0.0:7860).",
        discussion: """
            Every option can also be set in the environment (I2V_HOST, I2V_PORT, I2V_DATA_DIR, I2V_MODEL_DIR, \
            I2V_OUTPUTS_DIR, I2V_WORKERS, I2V_API_KEYS, I2V_AUTH, …) or in a JSON config file (--config, I2V_CONFIG, \
            or ./i2v.json when present). Precedence: command line > environment > file > default. \
            Any setting: --set key=value. Settings: \(ConfigLoader.reference.map(\.key).joined(separator: ", ")).
            """)

    @Option(help: "JSON config file.") var config: String?
    @Option(help: "Address to listen on (default 0.0.0.0).") var host: String?
    @Option(help: "TCP port (default 7860).") var port: Int?
    @Option(name: .customLong("data-dir"), help: "Job database, uploads and attempt files (default data).") var dataDir: String?
    @Option(name: .customLong("model-dir"), help: "I2VGen-XL diffusers folder (default Models/i2vgen-xl).") var modelDir: String?
    @Option(name: .customLong("outputs-dir"), help: "Where finished videos are published (default outputs).") var outputsDir: String?
    @Option(name: .customLong("public-dir"), help: "Web UI folder (default Public; empty disables the UI).") var publicDir: String?
    @Option(help: "Engine slots: one per GPU, one on CPU (default 1; 0 = API only).") var workers: Int?
    @Option(help: "Where I2VGen-XL runs: auto | cpu | cuda:N (default auto).") var device: String?
    @Option(help: "One I2VGen-XL engine per GPU: 0,1,… or all (raises --workers to match).") var devices: String?
    @Option(name: .customLong("api-key"), help: "Accepted bearer key (repeatable).") var apiKeys: [String] = []
    @Option(help: "auto (keys beyond loopback) | required | disabled.") var auth: String?
    @Option(name: .customLong("max-upload-mb"), help: "Largest accepted upload in MiB (default 25).") var maxUploadMB: Double?
    @Option(name: .customLong("retention-days"), help: "Delete finished jobs, their outputs and unused uploaded originals after N days (default: keep).") var retentionDays: Double?
    @Option(name: .customLong("cors-origin"), help: "Origin allowed by CORS (repeatable; default none).") var corsOrigins: [String] = []
    @Option(name: .customLong("set"), help: "Any setting as key=value (repeatable).") var settings: [String] = []

    func overrides() throws -> [String: String] {
        var values: [String: String] = [:]
        for item in settings {
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw ValidationError("--set expects key=value, got '\(item)'") }
            values[pair[0]] = pair[1]
        }
        if let host { values["host"] = host }
        if let port { values["port"] = String(port) }
        if let dataDir { values["data_dir"] = dataDir }
        if let modelDir { values["model_dir"] = modelDir }
        if let outputsDir { values["outputs_dir"] = outputsDir }
        if let publicDir { values["public_dir"] = publicDir }
        if let workers { values["workers"] = String(workers) }
        if let device { values["device"] = device }
        if let devices { values["devices"] = devices }
        if !apiKeys.isEmpty { values["api_keys"] = apiKeys.joined(separator: ",") }
        if let auth { values["auth"] = auth }
        if let maxUploadMB { values["max_upload_mb"] = String(maxUploadMB) }
        if let retentionDays { values["retention_days"] = String(retentionDays) }
        if !corsOrigins.isEmpty { values["cors_origins"] = corsOrigins.joined(separator: ",") }
        return values
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var file = (config ?? environment["I2V_CONFIG"]).map { URL(fileURLWithPath: $0) }
        if file == nil, FileManager.default.fileExists(atPath: "i2v.json") { file = URL(fileURLWithPath: "i2v.json") }
        let settings: ServerConfig
        do {
            settings = try ConfigLoader.load(file: file, environment: environment, overrides: try overrides())
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
        var logger = Logger(label: "i2v")
        logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
        let engines = try EngineSetup.make(settings, logger: logger)
        do {
            try await ServerRuntime.serve(settings, pipeline: engines.pipeline, planner: engines.planner, verifyImage: engines.verifyImage, logger: logger)
        } catch let error as DataDirectoryLock.Held {
            throw ValidationError(error.description)
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
    }
}
