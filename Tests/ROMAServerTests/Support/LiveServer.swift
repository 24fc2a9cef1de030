import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import ROMACore
import ROMAEngine
import ServiceLifecycle
import Testing

@testable import ROMAServer

/// A database file with API keys, shared by the servers a test starts on it (restart tests).
struct TestDatabase: Sendable {
    let path: String
    /// The secrets of the keys, in creation order.
    let keys: [String]

    /// A fresh database in the temporary directory with `keyCount` keys.
    static func make(keyCount: Int = 2) async throws -> TestDatabase {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("roma-serve-test-\(UUID().uuidString).sqlite").path
        let store = try SQLiteExecutionStore(path: path)
        var keys: [String] = []
        for index in 0..<keyCount {
            let (secret, record) = APIKeySecret.makeKey(name: "test-\(index)", now: Date())
            try await store.insertKey(record)
            keys.append(secret)
        }
        return TestDatabase(path: path, keys: keys)
    }

    /// Deletes the database and its WAL files.
    func remove() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// A settable date, for day boundaries and idempotency expiry.
struct TestClock: WallClock {
    private let current: NIOLockedValueBox<Date>

    init(_ date: Date = Date(timeIntervalSince1970: 1_762_857_000)) {  // 2025-11-11T10:30:00Z
        current = NIOLockedValueBox(date)
    }

    func now() -> ContinuousClock.Instant { ContinuousClock.now }
    func date() -> Date { current.withLockedValue { $0 } }
    func advance(by seconds: Double) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

/// A sleeper that returns at once and remembers what it was asked to wait.
struct RecordingSleeper: Sleeper {
    private let recorded = NIOLockedValueBox<[Duration]>([])

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        recorded.withLockedValue { $0.append(duration) }
    }

    var durations: [Duration] { recorded.withLockedValue { $0 } }
}

/// Executions as they finish, awaitable without sleeping.
actor FinishedExecutions {
    private var finished: [String: StoredExecution] = [:]
    private var waiters: [String: [CheckedContinuation<StoredExecution, Never>]] = [:]

    func record(_ execution: StoredExecution) {
        finished[execution.id] = execution
        for waiter in waiters.removeValue(forKey: execution.id) ?? [] { waiter.resume(returning: execution) }
    }

    /// Waits until the execution's terminal state has been stored.
    func wait(for id: String) async -> StoredExecution {
        if let execution = finished[id] { return execution }
        return await withCheckedContinuation { waiters[id, default: []].append($0) }
    }
}

/// One HTTP exchange's result.
struct TestResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first(name: name) }
    var errorCode: String? { json?["error"]?["code"]?.stringValue }
}

/// A server running on 127.0.0.1 on a free port, for one test.
struct LiveServer: Sendable {
    let port: Int
    let database: TestDatabase
    let store: SQLiteExecutionStore
    let finished: FinishedExecutions
    let clock: TestClock

    /// A client that neither asks for nor decodes compression, so tests see the wire bytes.
    /// (`HTTPClient.shared` sends `Accept-Encoding: gzip` and inflates transparently.) It lives as
    /// long as the test process.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(decompression: .disabled))

    var keys: [String] { database.keys }
    var key: String { database.keys[0] }

    /// Starts a server, runs `body`, then shuts the server down gracefully.
    static func with<T: Sendable>(
        configuration: ServerConfiguration = ServerConfiguration(),
        model: any LanguageModel = OfflineModel(),
        database: TestDatabase? = nil,
        clock: TestClock = TestClock(),
        sleeper: any Sleeper = RecordingSleeper(),
        logs: LogCapture? = nil,
        wrapStore: @Sendable (SQLiteExecutionStore) -> any ExecutionStore = { $0 },
        _ body: @Sendable (LiveServer) async throws -> T
    ) async throws -> T {
        let ownsDatabase = database == nil
        let database = if let database { database } else { try await TestDatabase.make() }
        defer { if ownsDatabase { database.remove() } }
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let store = try SQLiteExecutionStore(path: database.path)
        let finished = FinishedExecutions()
        let (finishedStream, finishedSink) = AsyncStream.makeStream(of: StoredExecution.self)
        var logger =
            if let logs { Logger(label: "roma.serve.test", factory: { _ in logs.handler() }) } else { Logger(label: "roma.serve.test") }
        logger.logLevel = logs != nil || ProcessInfo.processInfo.environment["ROMA_TEST_LOG"] != nil ? .debug : .critical
        let server = APIServer(
            configuration: configuration, store: wrapStore(store), engine: ExecutionEngine(model: model), clock: clock,
            webhookSleeper: sleeper, logger: logger, onExecutionFinished: { finishedSink.yield($0) })
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = server.makeApplication { portSink.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask { for await execution in finishedStream { await finished.record(execution) } }
            defer { finishedSink.finish() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("the server did not start") }
            let live = LiveServer(port: port, database: database, store: store, finished: finished, clock: clock)
            do {
                let result = try await body(live)
                await group.triggerGracefulShutdown()
                finishedSink.finish()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                finishedSink.finish()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Sends one request.
    func request(
        _ method: HTTPMethod, _ path: String, key: String? = nil, body: String? = nil, headers: [(String, String)] = []
    ) async throws -> TestResponse {
        try await Self.send(method, path, port: port, key: key, body: body, headers: headers)
    }

    /// Sends one request to the server on `port` (any replica of a replica test, too).
    static func send(
        _ method: HTTPMethod, _ path: String, port: Int, key: String? = nil, body: String? = nil, headers: [(String, String)] = []
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let key { request.headers.add(name: "X-API-Key", value: key) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// `POST /api/v1/executions` with the first key, expecting 202; returns the execution id.
    func create(_ body: String = #"{"goal": "Research AI trends in 2025", "max_depth": 2}"#, key: String? = nil) async throws -> String {
        let response = try await request(.POST, "/api/v1/executions", key: key ?? self.key, body: body)
        #expect(response.status == 202, "create failed: \(response.text)")
        guard let id = response.json?["execution_id"]?.stringValue else { throw TestFailure("no execution_id in \(response.text)") }
        return id
    }

    /// Waits for an execution's terminal state to be stored.
    func waitUntilFinished(_ id: String) async -> StoredExecution { await finished.wait(for: id) }
}

/// A failure of the test harness itself.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects every log line (message and metadata, rendered) of a server.
final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }

    func handler() -> some LogHandler { Handler(capture: self) }

    fileprivate func append(_ line: String) { lines.withLockedValue { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.append("\(event.level) \(event.message) \(rendered)")
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (for streamed request bodies).
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
