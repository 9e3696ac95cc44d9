import Jobs

/// Server: the Hummingbird application (REST API, SSE, web UI, metrics) and the worker service.
public enum ServerModule {
    public static let defaultPort = 7860
}
