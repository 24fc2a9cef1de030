import ROMAEngine

/// The knobs of `roma serve`: where it listens and the limits it enforces per API key.
public struct ServerConfiguration: Sendable, Hashable {
    /// The interface to bind (`127.0.0.1` unless the server is meant to be reachable from outside).
    public var host: String
    /// The TCP port (0 picks a free one; tests use that).
    public var port: Int
    /// Requests one API key may make per UTC day (every authenticated request counts).
    public var dailyRequestLimit: Int
    /// Executions one API key may have running at once.
    public var maxConcurrentExecutions: Int
    /// The largest request body accepted, in bytes (larger bodies get 413).
    public var maxBodyBytes: Int
    /// How long an `X-Idempotency-Key` is remembered, in seconds.
    public var idempotencyWindow: Double
    /// Retries of webhook deliveries (exponential backoff; `Retry-After` is not consulted).
    public var webhookRetry: RetryPolicy
    /// Bodies smaller than this are sent uncompressed even when the client accepts gzip.
    public var compressionMinimumBytes: Int

    /// Creates a configuration; the defaults are the hosted API's free tier.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, dailyRequestLimit: Int = 1000, maxConcurrentExecutions: Int = 10,
        maxBodyBytes: Int = 1 << 20, idempotencyWindow: Double = 24 * 60 * 60,
        webhookRetry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(60)),
        compressionMinimumBytes: Int = 512
    ) {
        self.host = host
        self.port = port
        self.dailyRequestLimit = dailyRequestLimit
        self.maxConcurrentExecutions = maxConcurrentExecutions
        self.maxBodyBytes = maxBodyBytes
        self.idempotencyWindow = idempotencyWindow
        self.webhookRetry = webhookRetry
        self.compressionMinimumBytes = compressionMinimumBytes
    }
}
