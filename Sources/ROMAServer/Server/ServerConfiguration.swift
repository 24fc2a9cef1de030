import ROMACore
import ROMAEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    /// How long a connection may sit with no request in progress before the server closes it.
    public var idleTimeout: Duration
    /// Connections open at once; past it the listener stops accepting until one closes. The
    /// default is the process's file-descriptor limit less 256 (kept for SQLite, webhook and
    /// provider sockets), at most 4096: see `defaultMaxConnections`.
    public var maxConnections: Int
    /// Uncommitted requests of one key that make the request counter write to SQLite; a crash
    /// can let a key exceed its daily limit by at most twice this (`UsageCounter`).
    public var usageBatchSize: Int
    /// How often the request counts are written regardless of the batch size.
    public var usageFlushInterval: Duration
    /// Seconds a client refused by the concurrent-execution cap is told to wait (`Retry-After`).
    public var concurrencyRetryAfter: Int
    /// Bodies smaller than this are sent uncompressed even when the client accepts gzip.
    public var compressionMinimumBytes: Int
    // issue-16 (replicas) begin
    /// How long a replica's claim on an execution lasts without a heartbeat: a dead replica's
    /// executions are taken over this long after its last heartbeat.
    public var leaseDuration: Duration = .seconds(30)
    /// How often leases are renewed, lapsed ones claimed and remote cancels noticed (a cancel
    /// sent to another replica stops the engine within about this long).
    public var heartbeatInterval: Duration = .seconds(2)
    /// Executions one replica runs at once at most; it claims no more.
    public var replicaCapacity: Int = 256
    // issue-16 (replicas) end
    /// Secrets removed from every model answer, tool result and error before the engine sees
    /// them, so none reaches the store, the API's answers or a webhook (`roma serve` passes the
    /// values of its environment's secret-named variables; credential-shaped text is removed always).
    public var redactor: Redactor = .none

    /// Creates a configuration; the defaults are the hosted API's free tier.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, dailyRequestLimit: Int = 1000, maxConcurrentExecutions: Int = 10,
        maxBodyBytes: Int = 1 << 20, idempotencyWindow: Double = 24 * 60 * 60,
        webhookRetry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(60)),
        compressionMinimumBytes: Int = 512, concurrencyRetryAfter: Int = 5, idleTimeout: Duration = .seconds(30),
        maxConnections: Int = ServerConfiguration.defaultMaxConnections, usageBatchSize: Int = 100,
        usageFlushInterval: Duration = .seconds(2)
    ) {
        self.usageBatchSize = usageBatchSize
        self.usageFlushInterval = usageFlushInterval
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.concurrencyRetryAfter = concurrencyRetryAfter
        self.host = host
        self.port = port
        self.dailyRequestLimit = dailyRequestLimit
        self.maxConcurrentExecutions = maxConcurrentExecutions
        self.maxBodyBytes = maxBodyBytes
        self.idempotencyWindow = idempotencyWindow
        self.webhookRetry = webhookRetry
        self.compressionMinimumBytes = compressionMinimumBytes
    }

    /// The connection cap that leaves room under the file-descriptor limit: the soft
    /// `RLIMIT_NOFILE` less 256, between 16 and 4096.
    public static var defaultMaxConnections: Int {
        var limit = rlimit()
        #if os(Linux)
            let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        // RLIM_INFINITY is the largest value, so clamping handles it too.
        let soft = Int(clamping: min(limit.rlim_cur, 1 << 20))
        return min(4096, max(16, soft - 256))
    }
}
