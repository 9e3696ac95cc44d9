import Foundation
import Hummingbird
import Jobs
import Logging
import NIOCore

/// What `buildApplication` needs besides configuration: the store and the engine side.
/// The executable passes the SQLite store and the real pipeline; tests pass fakes.
public struct AppDependencies: Sendable {
    public var store: any JobStore
    public var pipeline: any JobPipeline
    public var planner: any PlanningService
    /// Full decode check of uploads (through Media); nil checks image headers only.
    public var verifyImage: (@Sendable ([UInt8]) throws -> Void)?
    /// Bearer keys accepted when the config requires keys (config keys plus a generated one).
    public var apiKeys: [String]
    public var webhookSecret: String
    /// Re-queue every running job at start-up; true only when this process holds the data
    /// directory lock (`DataDirectoryLock`).
    public var recoverLeasesOnStart: Bool

    public init(
        store: any JobStore, pipeline: any JobPipeline, planner: any PlanningService, verifyImage: (@Sendable ([UInt8]) throws -> Void)? = nil,
        apiKeys: [String] = [], webhookSecret: String = "", recoverLeasesOnStart: Bool = false
    ) {
        self.store = store
        self.pipeline = pipeline
        self.planner = planner
        self.verifyImage = verifyImage
        self.apiKeys = apiKeys
        self.webhookSecret = webhookSecret
        self.recoverLeasesOnStart = recoverLeasesOnStart
    }
}

public typealias AppContext = BasicRequestContext

/// Builds the whole server: router, middleware, worker, webhook and maintenance services.
/// The same function serves `i2v serve` and the tests (`app.test(.router)` or `.live`).
public func buildApplication(
    _ config: ServerConfig, dependencies: AppDependencies, logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> (some ApplicationProtocol, AppServices) {
    var logger = logger ?? Logger(label: "i2v")
    if logger.logLevel == .info, let level = Logger.Level(rawValue: config.logLevel) { logger.logLevel = level }
    let layout = StorageLayout(data: config.dataURL, outputs: config.outputsURL)
    try layout.createDirectories()
    if config.requiresAPIKey && dependencies.apiKeys.isEmpty {
        throw ConfigError(message: "API keys are required on \(config.host) but none is configured (set I2V_API_KEYS, or auth=disabled).")
    }
    let services = AppServices(
        config: config, layout: layout, store: dependencies.store, pipeline: dependencies.pipeline, planner: dependencies.planner,
        apiKeys: dependencies.apiKeys, webhookSecret: dependencies.webhookSecret, verifyImage: dependencies.verifyImage,
        recoverLeasesOnStart: dependencies.recoverLeasesOnStart, logger: logger)

    let router = Router(context: AppContext.self)
    router.add(middleware: HardeningMiddleware(metrics: services.metrics))
    router.add(middleware: ProblemMiddleware())
    if !config.corsOrigins.isEmpty { router.add(middleware: CORSListMiddleware(origins: Set(config.corsOrigins))) }
    if config.requiresAPIKey { router.add(middleware: AuthMiddleware(keys: dependencies.apiKeys)) }
    if let publicURL = config.publicURL, FileManager.default.fileExists(atPath: publicURL.path) {
        router.add(middleware: FileMiddleware(publicURL.path, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true, logger: logger))
    }
    let api = router.group("api/v1")
    JobsController<AppContext>(services: services).register(on: api)
    EventsController<AppContext>(services: services).register(on: api)
    FilesController<AppContext>(services: services).register(on: api)
    BatchesController<AppContext>(services: services).register(on: api)
    SystemController<AppContext>(services: services).register(on: router, api: api)

    let app = Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "i2v/\(AppServices.version)"),
        services: [services.worker, services.webhooks, services.maintenance],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
        logger: logger)
    return (app, services)
}
