import Foundation
import TensorCUDA

/// A setting that cannot be used, named by the key it came from.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Reads `ServerConfig` from layers of `key → text` settings.
///
/// Keys are snake_case (`max_upload_mb`); the environment variable of a key is `I2V_` + its
/// upper-case form (`I2V_MAX_UPLOAD_MB`); the command line uses the same keys.
public enum ConfigLoader {
    struct Setting {
        let key: String
        let help: String
        let apply: (inout ServerConfig, String) throws -> Void
    }

    static func parse<T: LosslessStringConvertible>(_ key: String, _ text: String, _ range: ClosedRange<T>? = nil) throws -> T where T: Comparable {
        guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigError(message: "setting \(key): '\(text)' is not a valid \(T.self == Int.self ? "integer" : "number")")
        }
        if let range, !range.contains(value) {
            throw ConfigError(message: "setting \(key): \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func bool(_ key: String, _ text: String) throws -> Bool {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(message: "setting \(key): '\(text)' is not true or false")
        }
    }

    static let settings: [Setting] = [
        Setting(key: "host", help: "address to listen on") { $0.host = $1 },
        Setting(key: "port", help: "TCP port") { $0.port = try parse("port", $1, 0...65535) },
        Setting(key: "data_dir", help: "job database, uploads and attempt files") { $0.dataDir = $1 },
        Setting(key: "model_dir", help: "I2VGen-XL diffusers folder") { $0.modelDir = $1 },
        Setting(key: "outputs_dir", help: "where finished videos are published") { $0.outputsDir = $1 },
        Setting(key: "public_dir", help: "web UI folder (empty disables the UI)") { $0.publicDir = $1 },
        Setting(key: "workers", help: "engine slots (0 = API only)") { $0.workers = try parse("workers", $1, 0...64) },
        Setting(key: "device", help: "where I2VGen-XL runs: auto | cpu | cuda:N") { config, text in
            do { _ = try DeviceSelection(parsing: text) } catch { throw ConfigError(message: "setting device: \(error)") }
            config.device = text
        },
        Setting(key: "devices", help: "one I2VGen-XL engine per GPU: 0,1,… or all (raises workers to match)") { config, text in
            do { config.devices = try DeviceSelection.parseList(text) } catch { throw ConfigError(message: "setting devices: \(error)") }
        },
        Setting(key: "auth", help: "auto | required | disabled") { config, text in
            guard let mode = ServerConfig.AuthMode(rawValue: text.lowercased()) else {
                throw ConfigError(message: "setting auth: '\(text)' is not auto, required or disabled")
            }
            config.auth = mode
        },
        Setting(key: "api_keys", help: "comma-separated bearer keys") { $0.apiKeys = list($1) },
        Setting(key: "max_upload_mb", help: "largest accepted upload") { $0.maxUploadBytes = Int(try parse("max_upload_mb", $1, 0.001...4096.0) * 1_048_576) },
        Setting(key: "max_image_megapixels", help: "largest accepted image") { $0.maxImagePixels = Int(try parse("max_image_megapixels", $1, 0.01...1000.0) * 1_000_000) },
        Setting(key: "fetch_timeout_seconds", help: "image URL fetch time limit") { $0.fetchTimeoutSeconds = try parse("fetch_timeout_seconds", $1, 0.1...600.0) },
        Setting(key: "allow_private_networks", help: "let image URLs and webhooks reach private addresses") { $0.allowPrivateNetworks = try bool("allow_private_networks", $1) },
        Setting(key: "cors_origins", help: "comma-separated origins allowed by CORS (off when empty)") { $0.corsOrigins = list($1) },
        Setting(key: "retention_days", help: "delete finished jobs, their outputs and unused uploaded originals after N days (0 = keep)") { config, text in
            let days: Double = try parse("retention_days", text, 0...36500.0)
            config.retentionDays = days > 0 ? days : nil
        },
        Setting(key: "lease_seconds", help: "job lease length") { $0.leaseSeconds = try parse("lease_seconds", $1, 2...3600.0) },
        Setting(key: "heartbeat_seconds", help: "lease renewal interval") { $0.heartbeatSeconds = try parse("heartbeat_seconds", $1, 0.05...600.0) },
        Setting(key: "max_attempts", help: "attempts per job for retryable failures") { $0.maxAttempts = try parse("max_attempts", $1, 1...20) },
        Setting(key: "retry_base_seconds", help: "first retry delay") { $0.retryBaseSeconds = try parse("retry_base_seconds", $1, 0...3600.0) },
        Setting(key: "retry_max_seconds", help: "longest retry delay") { $0.retryMaxSeconds = try parse("retry_max_seconds", $1, 0...86400.0) },
        Setting(key: "webhook_secret", help: "HMAC key for webhook signatures") { $0.webhookSecret = $1 },
        Setting(key: "webhook_max_attempts", help: "deliveries tried per webhook") { $0.webhookMaxAttempts = try parse("webhook_max_attempts", $1, 1...50) },
        Setting(key: "webhook_retry_base_seconds", help: "first webhook retry delay") { $0.webhookRetryBaseSeconds = try parse("webhook_retry_base_seconds", $1, 0...3600.0) },
        Setting(key: "log_level", help: "trace | debug | info | notice | warning | error") { $0.logLevel = $1 },
    ]

    /// Every key with its environment variable and help, for `--help` and the README.
    public static var reference: [(key: String, environment: String, help: String)] {
        settings.map { ($0.key, environmentName($0.key), $0.help) }
    }

    public static func environmentName(_ key: String) -> String { "I2V_" + key.uppercased() }

    /// Applies the layers in order: config file (JSON object), environment, command line.
    public static func load(
        file: URL?, environment: [String: String], overrides: [String: String], base: ServerConfig = ServerConfig()
    ) throws -> ServerConfig {
        var config = base
        if let file { try apply(try readFile(file), to: &config, source: file.path) }
        var fromEnvironment: [String: String] = [:]
        for setting in settings {
            if let value = environment[environmentName(setting.key)] { fromEnvironment[setting.key] = value }
        }
        try apply(fromEnvironment, to: &config, source: "environment")
        try apply(overrides, to: &config, source: "command line")
        if config.workers > 0 && config.workers < config.devices.count { config.workers = config.devices.count }
        if config.heartbeatSeconds * 2 > config.leaseSeconds {
            throw ConfigError(message: "setting heartbeat_seconds (\(config.heartbeatSeconds)) must be at most half of lease_seconds (\(config.leaseSeconds))")
        }
        return config
    }

    static func apply(_ values: [String: String], to config: inout ServerConfig, source: String) throws {
        let byKey = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0) })
        for key in values.keys.sorted() {
            guard let setting = byKey[key] else {
                throw ConfigError(message: "\(source): unknown setting '\(key)' (known: \(settings.map(\.key).joined(separator: ", ")))")
            }
            do {
                try setting.apply(&config, values[key]!)
            } catch let error as ConfigError {
                throw ConfigError(message: "\(source): \(error.message)")
            }
        }
    }

    /// A JSON object whose values are strings, numbers, booleans or arrays of strings.
    static func readFile(_ url: URL) throws -> [String: String] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigError(message: "config file \(url.path) cannot be read: \(error.localizedDescription)")
        }
        guard case .object(let object)? = JSONValue.parse(data) else {
            throw ConfigError(message: "config file \(url.path) is not a JSON object")
        }
        var values: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case .string(let s): values[key] = s
            case .number(let n): values[key] = n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
            case .bool(let b): values[key] = String(b)
            case .array(let items):
                values[key] = try items.map { item -> String in
                    guard let s = item.stringValue else { throw ConfigError(message: "config file \(url.path): '\(key)' must list strings") }
                    return s
                }.joined(separator: ",")
            case .null: continue
            case .object: throw ConfigError(message: "config file \(url.path): '\(key)' cannot be an object")
            }
        }
        return values
    }
}
