import Foundation

/// Everything `i2v serve` can be told. Each setting comes, in increasing precedence, from its
/// default, the JSON config file, the environment (`I2V_…`), and the command line.
public struct ServerConfig: Sendable, Equatable {
    public enum AuthMode: String, Sendable, Equatable, CaseIterable {
        /// Keys are required when listening beyond loopback.
        case auto
        case required
        case disabled
    }

    public var host = "0.0.0.0"
    public var port = 7860
    public var dataDir = "data"
    public var modelDir = "Models/i2vgen-xl"
    public var outputsDir = "outputs"
    /// Folder of the web UI; empty disables it.
    public var publicDir = "Public"
    /// Engine slots: one per GPU, one on CPU; 0 serves the API without running jobs.
    public var workers = 1
    /// Where the I2VGen-XL engine runs: auto (the first CUDA GPU, else the CPU), cpu or cuda:N.
    public var device = "auto"
    /// One I2VGen-XL engine per listed GPU (empty: a single engine on `device`). Workers are
    /// raised to at least this many, so every GPU gets a job.
    public var devices: [Int] = []
    public var auth = AuthMode.auto
    public var apiKeys: [String] = []
    public var maxUploadBytes = 25 << 20
    public var maxImagePixels = 40_000_000
    public var minImageSide = 64
    public var fetchTimeoutSeconds = 20.0
    /// Allow image URLs and webhooks that resolve to loopback/private addresses (tests, labs).
    public var allowPrivateNetworks = false
    public var corsOrigins: [String] = []
    /// Delete finished jobs and their outputs after this many days; nil keeps them.
    public var retentionDays: Double?
    public var leaseSeconds = 60.0
    public var heartbeatSeconds = 5.0
    public var maxAttempts = 3
    public var retryBaseSeconds = 2.0
    public var retryMaxSeconds = 120.0
    /// HMAC-SHA256 key for webhook signatures; generated into the data dir when empty.
    public var webhookSecret = ""
    public var webhookMaxAttempts = 8
    public var webhookRetryBaseSeconds = 5.0
    public var logLevel = "info"

    public init() {}

    /// Loopback listeners need no keys in `auto` mode.
    public var listensOnLoopbackOnly: Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
    }

    public var requiresAPIKey: Bool {
        switch auth {
        case .disabled: return false
        case .required: return true
        case .auto: return !listensOnLoopbackOnly
        }
    }

    public var dataURL: URL { URL(fileURLWithPath: dataDir, isDirectory: true).standardizedFileURL }
    public var outputsURL: URL { URL(fileURLWithPath: outputsDir, isDirectory: true).standardizedFileURL }
    public var modelURL: URL { URL(fileURLWithPath: modelDir, isDirectory: true).standardizedFileURL }
    public var publicURL: URL? { publicDir.isEmpty ? nil : URL(fileURLWithPath: publicDir, isDirectory: true).standardizedFileURL }
}
