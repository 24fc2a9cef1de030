import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ROMACore
import ROMAEngine
import ROMAServer
import ServiceLifecycle

/// `GET /api/v1/executions/{id}/status` under wrk (`-t2 -c64`), with authentication, the daily
/// limit and request logging all on, side by side with a Hummingbird hello-world in the same
/// run, reported as req/s and as the ratio of the two.
///
/// Both servers run in this process on 127.0.0.1 (each measured while the other is idle); wrk is
/// a separate process (`apt-get install wrk`). Access-log lines go to stderr at `info`, as
/// `roma serve` writes them: run with `2>/dev/null` or `2>FILE`. Knobs (environment):
/// `ROMA_BENCH_WRK_SECONDS` (default 10 per measurement), `ROMA_BENCH_WRK_ROUNDS` (default 3;
/// the servers are measured alternately, so drifting load on the machine hits both).
enum WrkBenchmark {
    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = environment["ROMA_BENCH_WRK_SECONDS"].flatMap(Int.init) ?? 10
        let rounds = environment["ROMA_BENCH_WRK_ROUNDS"].flatMap(Int.init) ?? 3

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roma-bench-wrk-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try SQLiteExecutionStore(path: path)
        let (secret, record) = APIKeySecret.makeKey(name: "bench", now: Date())
        try await store.insertKey(record)

        // The handler and redaction `roma serve` logs through.
        let redactor = Redactor.fromEnvironment(environment)
        let logger = Logger(label: "roma.serve", factory: { LineLogHandler(label: $0, level: .info, redactor: redactor) })
        var quiet = Logger(label: "roma.bench.hello")
        quiet.logLevel = .critical
        let (finished, finishedSink) = AsyncStream.makeStream(of: String.self)
        let server = APIServer(
            configuration: ServerConfiguration(port: 0, dailyRequestLimit: 100_000_000),
            store: store, engine: ExecutionEngine(model: OfflineModel()), logger: logger,
            onExecutionFinished: { finishedSink.yield($0.id) })
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let api = server.makeApplication { portSink.yield($0) }
        let helloRouter = Router()
        helloRouter.get("/") { _, _ in "Hello, world!" }
        let hello = Application(
            router: helloRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [api, hello], gracefulShutdownSignals: [], logger: quiet))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let first = await iterator.next(), let second = await iterator.next() else { return }
            // Which port is which: the API answers 401 without a key, the hello-world 200.
            let apiPort = try await isAPI(port: first) ? first : second
            let helloPort = apiPort == first ? second : first
            let target = try await createTarget(port: apiPort, key: secret)
            for await done in finished where done == target { break }
            print(
                "wrk benchmark: wrk -t2 -c64 -d\(seconds)s, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(rounds) rounds"
            )
            var pairs: [(api: WrkResult, hello: WrkResult)] = []
            for _ in 0..<rounds {
                let hello = try wrk(url: "http://127.0.0.1:\(helloPort)/", headers: [], seconds: seconds)
                let api = try wrk(
                    url: "http://127.0.0.1:\(apiPort)/api/v1/executions/\(target)/status", headers: ["X-API-Key: \(secret)"],
                    seconds: seconds)
                pairs.append((api, hello))
                print(
                    String(
                        format:
                            "  GET /status (auth, daily limit, access log) %.0f req/s, %.0f µs CPU/req; hello-world %.0f req/s, %.0f µs CPU/req; ratio %.2f",
                        api.rate, api.cpuMicroseconds, hello.rate, hello.cpuMicroseconds, api.rate / hello.rate))
            }
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            let ratios = pairs.map { $0.api.rate / $0.hello.rate }.sorted()
            print(
                String(
                    format:
                        "  median: GET /status %.0f req/s, ratio to hello-world %.2f (range %.2f–%.2f); CPU per request %.0f µs (hello-world %.0f µs)",
                    median(pairs.map(\.api.rate)), median(ratios), ratios.first ?? 0, ratios.last ?? 0,
                    median(pairs.map(\.api.cpuMicroseconds)), median(pairs.map(\.hello.cpuMicroseconds))))
            await group.triggerGracefulShutdown()
        }
        finishedSink.finish()
    }

    private static func isAPI(port: Int) async throws -> Bool {
        try await ServerBenchmark.send(.shared, .GET, "http://127.0.0.1:\(port)/api/v1/executions", key: "").status == 401
    }

    private static func createTarget(port: Int, key: String) async throws -> String {
        let reply = try await ServerBenchmark.send(
            .shared, .POST, "http://127.0.0.1:\(port)/api/v1/executions", key: key,
            body: #"{"goal": "benchmark target", "max_depth": 2}"#)
        guard let id = reply.executionID else { throw WrkFailure("could not create the target execution (HTTP \(reply.status))") }
        return id
    }

    /// One wrk run: its rate, and this process's CPU time per request while it ran (both servers
    /// live in this process, the other one idle), which a busy machine disturbs less than the rate.
    private struct WrkResult {
        var rate: Double
        var cpuMicroseconds: Double
    }

    /// This process's user plus system CPU time so far, in microseconds.
    private static func cpuTime() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    }

    /// Runs wrk and returns its `Requests/sec` and the CPU time per request; non-2xx answers fail
    /// the benchmark.
    private static func wrk(url: String, headers: [String], seconds: Int) throws -> WrkResult {
        let cpuBefore = cpuTime()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["wrk", "-t2", "-c64", "-d\(seconds)s"] + headers.flatMap { ["-H", $0] } + [url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let cpu = cpuTime() - cpuBefore
        guard process.terminationStatus == 0 else { throw WrkFailure("wrk failed (is it installed?): \(text)") }
        if let line = text.split(separator: "\n").first(where: { $0.contains("Non-2xx") }) {
            throw WrkFailure("wrk saw errors: \(line)")
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let rate = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        else { throw WrkFailure("no Requests/sec in wrk's output: \(text)") }
        // "  123456 requests in 10.00s, …"
        guard let total = text.split(separator: "\n").first(where: { $0.contains(" requests in ") }),
            let count = Double(total.split(separator: " ").first ?? "")
        else { throw WrkFailure("no request count in wrk's output: \(text)") }
        return WrkResult(rate: rate, cpuMicroseconds: cpu / max(1, count))
    }
}

/// The wrk benchmark could not run as intended.
private struct WrkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
