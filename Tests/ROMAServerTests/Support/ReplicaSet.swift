import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOHTTP1
import ROMACore
import ROMAEngine
import ServiceLifecycle
import Testing

@testable import ROMAServer

/// Several `roma serve` replicas in this process, each with its own PostgreSQL pool, on one
/// shared schema (issue 16).
struct ReplicaSet: Sendable {
    let ports: [Int]
    let keys: [String]
    let schema: String
    /// Terminal states as any replica stores them.
    let finished: FinishedExecutions
    private let groups: [ServiceGroup]

    var key: String { keys[0] }

    /// Starts one replica per model, runs `body`, then stops them.
    static func with<T: Sendable>(
        models: [any LanguageModel], configuration: ServerConfiguration = ServerConfiguration(), clock: TestClock = TestClock(),
        _ body: @Sendable (ReplicaSet) async throws -> T
    ) async throws -> T {
        let schema = "t_" + StoreFixture.schemaSuffix()
        var stores: [PostgresExecutionStore] = []
        for _ in models { stores.append(try await StoreFixture.postgres(schema: schema, maxConnections: 10)) }
        defer { for store in stores { store.close() } }
        var keys: [String] = []
        for index in 0..<2 {
            let (secret, record) = APIKeySecret.makeKey(name: "test-\(index)", now: Date())
            try await stores[0].insertKey(record)
            keys.append(secret)
        }
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let finished = FinishedExecutions()
        var logger = Logger(label: "roma.serve.replicas")
        logger.logLevel = ProcessInfo.processInfo.environment["ROMA_TEST_LOG"] != nil ? .debug : .critical
        var groups: [ServiceGroup] = []
        var portStreams: [AsyncStream<Int>] = []
        for (store, model) in zip(stores, models) {
            let server = APIServer(
                configuration: configuration, store: store, engine: ExecutionEngine(model: model), clock: clock,
                webhookSleeper: RecordingSleeper(), logger: logger,
                onExecutionFinished: { execution in Task { await finished.record(execution) } })
            let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
            portStreams.append(ports)
            let app = server.makeApplication { portSink.yield($0) }
            groups.append(ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger)))
        }
        let allGroups = groups
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            for group in allGroups { tasks.addTask { try await group.run() } }
            var ports: [Int] = []
            for stream in portStreams {
                var iterator = stream.makeAsyncIterator()
                guard let port = await iterator.next() else { throw TestFailure("a replica did not start") }
                ports.append(port)
            }
            let set = ReplicaSet(ports: ports, keys: keys, schema: schema, finished: finished, groups: allGroups)
            do {
                let result = try await body(set)
                for group in allGroups { await group.triggerGracefulShutdown() }
                try await tasks.waitForAll()
                return result
            } catch {
                for group in allGroups { await group.triggerGracefulShutdown() }
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Stops one replica as a crash would leave it for the others: its engines stop and its
    /// leases are neither renewed nor released.
    func stop(_ index: Int) async { await groups[index].triggerGracefulShutdown() }

    /// Sends one request to replica `index`.
    func request(
        _ index: Int, _ method: HTTPMethod, _ path: String, key: String? = nil, body: String? = nil, headers: [(String, String)] = []
    ) async throws -> TestResponse {
        try await LiveServer.send(method, path, port: ports[index], key: key, body: body, headers: headers)
    }
}

/// The offline model, counting every call it answers by recording key; after `answering` calls
/// (if set) the next ones wait at the gate.
struct CountingModel: LanguageModel {
    let counter: CallCounter
    var gate: Gate?
    var answering: Int = .max
    let base = OfflineModel()

    var providerName: String { "offline" }

    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        if let gate, await !counter.admit(below: answering) { try await gate.pass() }
        let response = try await base.complete(request, context: context)
        await counter.count(context.recordingKey ?? "?")
        return response
    }
}

/// Answered calls per recording key, across replicas.
actor CallCounter {
    private(set) var counts: [String: Int] = [:]
    private var admitted = 0
    var total: Int { counts.values.reduce(0, +) }

    /// Whether one more call may be answered without waiting (fewer than `limit` were let through).
    func admit(below limit: Int) -> Bool {
        guard admitted < limit else { return false }
        admitted += 1
        return true
    }

    func count(_ key: String) { counts[key, default: 0] += 1 }
}
