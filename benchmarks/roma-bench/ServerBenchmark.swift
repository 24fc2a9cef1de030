import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ROMACore
import ROMAEngine
import ROMAServer
import ServiceLifecycle

/// `roma serve` in-process on 127.0.0.1 (offline provider): throughput and p50/p99 latency of
/// `GET /executions/{id}/status` and `POST /executions` under concurrent AsyncHTTPClient workers.
///
/// Every phase is bounded by a request count and a time limit. Knobs (environment):
/// `ROMA_BENCH_SERVER_WORKERS` (default 16), `ROMA_BENCH_SERVER_REQUESTS` (default 20000 for
/// status, a tenth of that for creates), `ROMA_BENCH_SERVER_SECONDS` (default 10 per phase).
///
/// The client runs on the same cores as the server, so these figures understate the server. For
/// an external load generator against a real `roma serve` (loopback only, bounded duration):
///
/// ```sh
/// apt-get install -y wrk
/// roma serve keys create --db /tmp/bench.sqlite > /tmp/key
/// roma serve --db /tmp/bench.sqlite --provider offline --daily-limit 100000000 --max-concurrent 100000 &
/// ID=$(curl -s -X POST http://127.0.0.1:8080/api/v1/executions -H "X-API-Key: $(cat /tmp/key)" \
///   -H 'Content-Type: application/json' -d '{"goal":"bench","max_depth":1}' | sed 's/.*"execution_id":"\([^"]*\)".*/\1/')
/// wrk -t2 -c32 -d10s --latency -H "X-API-Key: $(cat /tmp/key)" http://127.0.0.1:8080/api/v1/executions/$ID/status
/// ```
///
/// Every request counts against the key's daily limit, hence `--daily-limit`.
enum ServerBenchmark {
    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let workers = environment["ROMA_BENCH_SERVER_WORKERS"].flatMap(Int.init) ?? 16
        let statusRequests = environment["ROMA_BENCH_SERVER_REQUESTS"].flatMap(Int.init) ?? 20_000
        let seconds = environment["ROMA_BENCH_SERVER_SECONDS"].flatMap(Double.init) ?? 10

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roma-bench-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try SQLiteExecutionStore(path: path)
        let (secret, record) = APIKeySecret.makeKey(name: "bench", now: Date())
        try await store.insertKey(record)

        var logger = Logger(label: "roma.bench.server")
        logger.logLevel = .critical
        let (finished, finishedSink) = AsyncStream.makeStream(of: String.self)
        let server = APIServer(
            configuration: ServerConfiguration(port: 0, dailyRequestLimit: Int.max / 2, maxConcurrentExecutions: Int.max / 2),
            store: store, engine: ExecutionEngine(model: OfflineModel()), logger: logger,
            onExecutionFinished: { finishedSink.yield($0.id) })
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = server.makeApplication { portSink.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: workers)))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            let base = "http://127.0.0.1:\(port)/api/v1/executions"
            print(
                "server benchmark: roma serve on 127.0.0.1:\(port), offline provider, \(workers) workers, \(ProcessInfo.processInfo.activeProcessorCount) cores"
            )

            // One finished execution to poll.
            let created = try await send(client, .POST, base, key: secret, body: #"{"goal": "benchmark target", "max_depth": 2}"#)
            guard created.status == 202, let id = created.executionID else {
                print("  could not create the target execution (HTTP \(created.status))")
                await group.triggerGracefulShutdown()
                return
            }
            for await done in finished where done == id { break }

            let status = try await measure(requests: statusRequests, workers: workers, seconds: seconds) { _ in
                try await send(client, .GET, "\(base)/\(id)/status", key: secret).status == 200
            }
            report("GET  /executions/{id}/status", status)

            let create = try await measure(requests: max(1, statusRequests / 10), workers: workers, seconds: seconds) { index in
                try await send(client, .POST, base, key: secret, body: #"{"goal": "benchmark goal \#(index)", "max_depth": 1}"#).status
                    == 202
            }
            report("POST /executions (202; engine runs in the background)", create)

            await group.triggerGracefulShutdown()
        }
        finishedSink.finish()
        try await client.shutdown()
    }

    struct Reply: Sendable {
        let status: UInt
        let executionID: String?
    }

    static func send(_ client: HTTPClient, _ method: HTTPMethod, _ url: String, key: String, body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "X-API-Key", value: key)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))
        return Reply(status: response.status.code, executionID: json?["execution_id"]?.stringValue)
    }

    struct Measurement {
        var latencies: [Duration]
        var failures: Int
        var elapsed: Duration
    }

    /// Runs `operation` from `workers` concurrent loops until `requests` were sent or `seconds` passed.
    static func measure(
        requests: Int, workers: Int, seconds: Double, _ operation: @escaping @Sendable (Int) async throws -> Bool
    ) async throws -> Measurement {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int64(seconds * 1000)))
        let counter = Counter(limit: requests)
        let results = try await withThrowingTaskGroup(of: ([Duration], Int).self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var latencies: [Duration] = []
                    var failures = 0
                    while clock.now < deadline, let index = await counter.next() {
                        let began = clock.now
                        let ok = (try? await operation(index)) ?? false
                        latencies.append(clock.now - began)
                        if !ok { failures += 1 }
                    }
                    return (latencies, failures)
                }
            }
            return try await group.reduce(into: [([Duration], Int)]()) { $0.append($1) }
        }
        return Measurement(latencies: results.flatMap(\.0), failures: results.map(\.1).reduce(0, +), elapsed: clock.now - start)
    }

    static func report(_ name: String, _ m: Measurement) {
        let sorted = m.latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
            return milliseconds(sorted[max(0, index)])
        }
        let seconds = milliseconds(m.elapsed) / 1000
        let throughput = seconds > 0 ? Double(sorted.count) / seconds : 0
        print(
            String(
                format: "  %@: %d requests in %.2f s = %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d failed", name, sorted.count,
                seconds, throughput, percentile(0.5), percentile(0.99), m.failures))
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    /// Hands out request indices up to a limit.
    actor Counter {
        private var issued = 0
        private let limit: Int
        init(limit: Int) { self.limit = limit }
        func next() -> Int? {
            guard issued < limit else { return nil }
            issued += 1
            return issued
        }
    }
}
