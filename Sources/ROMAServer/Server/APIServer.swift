import AsyncHTTPClient
import Hummingbird
import HummingbirdCore
import Logging
import ROMACore
import ROMAEngine
import ServiceLifecycle

/// `roma serve`: the ROMA API over the local engine.
///
/// Build one, then either `run()` it (until SIGTERM/SIGINT) or embed `makeApplication()` in a
/// `ServiceGroup` of your own (tests and benchmarks do).
public struct APIServer: Sendable {
    /// Paths served without an API key.
    public static let publicPaths: Set<String> = ["/openapi.yaml"]

    /// Limits and the address.
    public let configuration: ServerConfiguration
    private let store: any ExecutionStore
    private let clock: any WallClock
    private let logger: Logger
    private let runner: ExecutionRunner
    private let webhooks: WebhookDispatcher
    private let usage: UsageCounter

    /// Creates a server.
    ///
    /// - Parameters:
    ///   - engine: runs the executions (its model decides offline or a real provider).
    ///   - profiles: which model each profile runs on.
    ///   - clock: the date used for timestamps, day boundaries and idempotency expiry.
    ///   - webhookSleeper: waits between webhook retries (tests pass one that returns at once).
    ///   - httpClient: delivers webhooks.
    ///   - onExecutionFinished: called once an execution's terminal state is stored.
    public init(
        configuration: ServerConfiguration, store: any ExecutionStore, engine: ExecutionEngine,
        profiles: ProfileTable = ProfileTable(), clock: any WallClock = SystemWallClock(),
        webhookSleeper: any Sleeper = ContinuousSleeper(), httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "roma.serve"),
        onExecutionFinished: @escaping @Sendable (StoredExecution) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.logger = logger
        self.usage = UsageCounter(store: store, batchSize: configuration.usageBatchSize)
        self.webhooks = WebhookDispatcher(client: httpClient, policy: configuration.webhookRetry, sleeper: webhookSleeper, logger: logger)
        // Secrets are removed where answers come in, before any of the places an execution is kept.
        var engine = engine
        engine.model = RedactingModel(engine.model, redactor: configuration.redactor)
        engine.tools = engine.tools.map { RedactingToolBox($0, redactor: configuration.redactor) }
        self.runner = ExecutionRunner(
            engine: engine, store: store, profiles: profiles, clock: clock, webhooks: webhooks, logger: logger,
            lease: ExecutionLease(owner: Identifier.replicaID(), duration: configuration.leaseDuration),  // issue-16
            capacity: configuration.replicaCapacity, observer: onExecutionFinished)
    }

    /// The router: middlewares (outermost first) and every route.
    public func makeRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        let controller = ExecutionController(store: store, runner: runner, clock: clock, configuration: configuration)
        let table = RouteTable([(.get, "/openapi.yaml")] + controller.routes.map { ($0.method, $0.path) })
        router.add(
            middleware: ResponseMiddleware(
                compression: ResponseCompression(minimumBytes: configuration.compressionMinimumBytes, logger: logger), logger: logger))
        router.add(
            middleware: GatekeeperMiddleware(
                store: store, usage: usage, clock: clock, dailyLimit: configuration.dailyRequestLimit, publicPaths: Self.publicPaths,
                methodGuard: MethodGuard(table: table), logger: logger))
        router.get("/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        controller.register(on: router)
        return router
    }

    /// The Hummingbird application, with the execution service attached.
    ///
    /// Idle connections are closed after `configuration.idleTimeout`, and at most
    /// `configuration.maxConnections` are open at once (the listener stops accepting until one
    /// closes), so idle sockets cannot use up the process's file descriptors.
    ///
    /// - Parameter onServerRunning: receives the bound port (useful with port 0).
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let service = ExecutionService(
            store: store, runner: runner, webhooks: webhooks, clock: clock, logger: logger,
            heartbeat: configuration.heartbeatInterval, sleeper: ContinuousSleeper())  // issue-16
        let flusher = UsageFlushService(
            counter: usage, interval: configuration.usageFlushInterval, sleeper: ContinuousSleeper(), clock: clock, logger: logger)
        let idleTimeout = configuration.idleTimeout
        var app = Application(
            router: makeRouter(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [MalformedRequestHandler()],
                    idleTimeout: .nanoseconds(
                        Int64(idleTimeout.components.seconds) * 1_000_000_000
                            + idleTimeout.components.attoseconds / 1_000_000_000))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "roma-serve",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
            services: [service, flusher],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        app.beforeServerStarts { try await service.resumeInterrupted() }
        return app
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully: in-flight requests finish,
    /// running executions stop and are re-run on the next start.
    ///
    /// - Parameter services: run beside the server and stopped with it (the metrics endpoint).
    public func run(alongside services: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        async throws
    {
        let app = makeApplication(onServerRunning: onServerRunning)
        let group = ServiceGroup(
            configuration: .init(services: [app] + services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
