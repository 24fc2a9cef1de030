import Foundation
import ROMACore
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Python side of the observability tests (`scripts/observability-test-venv` makes it): an
/// OTLP/HTTP receiver that decodes the protobuf, and prometheus_client's text parser.
enum ObservabilityFixture {
    static let folder = Fixtures.packageRoot.appendingPathComponent("Tests/ObservabilityFixtures")

    /// The venv's python, or `ROMA_OBSERVABILITY_TEST_PYTHON`.
    static let python: String? = {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["ROMA_OBSERVABILITY_TEST_PYTHON"],
            Fixtures.packageRoot.appendingPathComponent(".venv-observability-test/bin/python").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var available: Bool {
        if python == nil {
            print(
                "observability tests skipped: no Python with opentelemetry-proto and prometheus_client (run scripts/observability-test-venv, or set ROMA_OBSERVABILITY_TEST_PYTHON)"
            )
        }
        return python != nil
    }

    /// Starts the OTLP receiver, which appends the spans it decodes to `spansFile`; returns it and
    /// the port it listens on.
    static func startReceiver(python: String, spansFile: String) throws -> (ChildProcess, Int) {
        let receiver = try ChildProcess(python, [folder.appendingPathComponent("otlp_receiver.py").path, spansFile])
        guard let port = receiver.firstLine().flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            receiver.stop()
            throw FixtureError(message: "the OTLP receiver printed no port")
        }
        return (receiver, port)
    }

    /// The spans a receiver wrote, one JSON object per line.
    static func spans(_ spansFile: String) throws -> [JSONValue] {
        try String(contentsOfFile: spansFile, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(Data($0.utf8)) }
    }

    /// The variables a test run must not inherit from the shell.
    static let otelVariables = ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("OTEL_") }
}

/// A child process whose output is read line by line until a line matches.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private var buffer = ""
    /// Lines read while looking for another; a later search finds them (a server logs its two
    /// listeners' addresses in either order).
    private var passed: [String] = []

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], readingStderr: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ObservabilityFixture.otelVariables { env[key] = nil }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if readingStderr {
            process.standardError = output
            process.standardOutput = FileHandle.nullDevice
        } else {
            process.standardOutput = output
        }
        try process.run()
    }

    /// The first line the process writes (not its end of output: a pipe's end comes only when every
    /// process holding its write end has closed it, which a test cannot control).
    func firstLine() -> String? {
        line(where: { _ in true })
    }

    /// Reads until a line contains `marker`; returns that line (nil at end of output).
    func line(containing marker: String) -> String? {
        line { $0.contains(marker) }
    }

    /// The first line, among those passed over and then those still to come, that satisfies
    /// `accept` (nil at end of output). Each line is returned once.
    private func line(where accept: (String) -> Bool) -> String? {
        if let index = passed.firstIndex(where: accept) { return passed.remove(at: index) }
        while true {
            if let range = buffer.range(of: "\n") {
                let line = String(buffer[..<range.lowerBound])
                buffer.removeSubrange(..<range.upperBound)
                if accept(line) { return line }
                passed.append(line)
                continue
            }
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { return nil }
            buffer += String(decoding: data, as: UTF8.self)
        }
    }

    /// The `http://127.0.0.1:PORT` address on the first line that contains `marker` (a server's
    /// "listening" log line).
    func address(logged marker: String) throws -> String {
        guard let line = line(containing: marker), let start = line.range(of: "http://127.0.0.1:") else {
            throw FixtureError(message: "the process never logged an address with '\(marker)'")
        }
        return String(line[start.lowerBound...].prefix { !$0.isWhitespace })
    }

    /// Reads `roma serve`'s log (at level info) until it has said "execution finished" for every
    /// one of `ids`: an event, where polling the API would race the daily request limit.
    func waitForFinished(_ ids: [String]) throws {
        var pending = Set(ids)
        while !pending.isEmpty {
            guard let line = line(containing: "execution finished") else {
                throw FixtureError(message: "the server's log ended before executions \(pending.sorted()) finished")
            }
            pending = pending.filter { !line.contains($0) }
        }
    }

    /// Kills the process and waits for it. SIGKILL, not SIGTERM: the receiver has written every span
    /// it answered for before answering, so nothing is lost, and no signal mask inherited from the
    /// test runner can keep it alive.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

@Suite(
    "Traces and metrics, checked by real OTLP and Prometheus parsers", .serialized,
    .enabled(if: ObservabilityFixture.available, "needs scripts/observability-test-venv"))
struct ObservabilityTests {
    @Test("a 3-level run exports one trace whose span tree is the DAG, with its tokens and no prompts")
    func traceMatchesDAG() throws {
        let python = try #require(ObservabilityFixture.python)
        let folder = try TemporaryFolder()
        let spansFile = folder.url.appendingPathComponent("spans.jsonl").path
        let (receiver, port) = try ObservabilityFixture.startReceiver(python: python, spansFile: spansFile)
        defer { receiver.stop() }

        let manifest = folder.url.appendingPathComponent("traced.yaml").path
        try """
        name: traced
        defaults: { max_depth: 2, min_depth: 2 }
        goals:
          - id: deep
            goal: Compare three approaches to carbon capture and recommend one
        """.write(toFile: manifest, atomically: true, encoding: .utf8)
        let out = folder.url.appendingPathComponent("results")
        let result = try runRoma(
            ["run", manifest, "--provider", "offline", "--out", out.path],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)", "OTEL_SERVICE_NAME": "roma-nightly"],
            unsetting: ObservabilityFixture.otelVariables)
        #expect(result.status == 0, "\(result.stderr)")
        receiver.stop()

        let spans = try ObservabilityFixture.spans(spansFile)
        let dag = try JSONParser.parse(try Data(contentsOf: out.appendingPathComponent("traced/deep/dag.json")))
        let nodes = try #require(dag["dag"]?["nodes"]?.arrayValue)
        // A node's parent is the source of its `subtask` edge.
        var parentOf: [String: String] = [:]
        for edge in dag["dag"]?["edges"]?.arrayValue ?? [] where edge["type"]?.stringValue == "subtask" {
            if let from = edge["from"]?.stringValue, let to = edge["to"]?.stringValue { parentOf[to] = from }
        }
        #expect(nodes.compactMap { $0["depth"]?.intValue }.max() == 2, "the offline model should plan two levels")

        // One trace, from the service the standard variable names.
        #expect(Set(spans.compactMap { $0["trace_id"]?.stringValue }).count == 1)
        #expect(spans.allSatisfy { $0["service_name"]?.stringValue == "roma-nightly" })
        #expect(spans.allSatisfy { $0["content_type"]?.stringValue == "application/x-protobuf" })
        let byID = Dictionary(uniqueKeysWithValues: spans.map { ($0["span_id"]?.stringValue ?? "", $0) })
        func attribute(_ span: JSONValue, _ key: String) -> JSONValue? { span["attributes"]?[key] }
        func parent(_ span: JSONValue) -> JSONValue? { byID[span["parent_span_id"]?.stringValue ?? ""] }

        let goals = spans.filter { $0["name"]?.stringValue == "roma.goal deep" }
        #expect(goals.count == 1)
        let goal = try #require(goals.first)
        #expect(goal["parent_span_id"]?.stringValue == "")

        // A span per node, under its DAG parent's span (the root's under the goal's).
        let nodeSpans = spans.filter { $0["name"]?.stringValue?.hasPrefix("roma.node ") == true }
        let spanOfNode = Dictionary(uniqueKeysWithValues: nodeSpans.map { (attribute($0, "roma.node.id")?.stringValue ?? "", $0) })
        #expect(Set(spanOfNode.keys) == Set(nodes.compactMap { $0["id"]?.stringValue }))
        for node in nodes {
            let id = node["id"]?.stringValue ?? ""
            let span = try #require(spanOfNode[id])
            let expectedParent = parentOf[id].flatMap { spanOfNode[$0] } ?? goal
            #expect(span["parent_span_id"] == expectedParent["span_id"], "\(id)")
            #expect(attribute(span, "roma.tokens")?.intValue == node["tokens_used"]?.intValue, "\(id)")
        }

        // A span per model call, under its node's span, with the GenAI attributes.
        let callSpans = spans.filter { $0["name"]?.stringValue?.hasPrefix("chat ") == true }
        let details = try JSONParser.parse(try Data(contentsOf: out.appendingPathComponent("traced/deep/execution.json")))
        #expect(callSpans.count == details["metadata"]?["agent_calls"]?.intValue)
        for span in callSpans {
            #expect(parent(span)?["name"]?.stringValue == "roma.node " + (attribute(span, "roma.node.id")?.stringValue ?? "?"))
            #expect(attribute(span, "gen_ai.system")?.stringValue == "offline")
            #expect(attribute(span, "gen_ai.operation.name")?.stringValue == "chat")
            #expect(attribute(span, "gen_ai.request.model")?.stringValue != nil)
        }
        let tokens = callSpans.reduce(0) {
            $0 + (attribute($1, "gen_ai.usage.input_tokens")?.intValue ?? 0) + (attribute($1, "gen_ai.usage.output_tokens")?.intValue ?? 0)
        }
        #expect(tokens == details["metadata"]?["tokens_used"]?.intValue)
        #expect(
            (attribute(goal, "gen_ai.usage.input_tokens")?.intValue ?? 0) + (attribute(goal, "gen_ai.usage.output_tokens")?.intValue ?? 0)
                == tokens)

        // No prompt or answer leaves the process: no attribute holds a task's text.
        let texts = nodes.flatMap { [$0["input"]?.stringValue, $0["output"]?.stringValue].compactMap { $0 } }
        for span in spans {
            for case .string(let value) in span["attributes"]?.objectValue?.values.map({ $0 }) ?? [] {
                #expect(!texts.contains { $0.count > 20 && value.contains($0) }, "\(value)")
            }
        }
    }

    @Test("without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported")
    func noEndpointNoExport() throws {
        let python = try #require(ObservabilityFixture.python)
        let folder = try TemporaryFolder()
        let spansFile = folder.url.appendingPathComponent("spans.jsonl").path
        let (receiver, port) = try ObservabilityFixture.startReceiver(python: python, spansFile: spansFile)
        defer { receiver.stop() }
        let manifest = folder.url.appendingPathComponent("plain.yaml").path
        try "name: plain\ngoals: [Say hello]\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        // Only the other variables are set: they do not start an exporter by themselves.
        let result = try runRoma(
            ["run", manifest, "--provider", "offline", "--out", folder.url.appendingPathComponent("results").path],
            environment: ["OTEL_SERVICE_NAME": "roma", "OTEL_EXPORTER_OTLP_HEADERS": "x-port=\(port)"],
            unsetting: ObservabilityFixture.otelVariables.filter { $0 != "OTEL_SERVICE_NAME" && $0 != "OTEL_EXPORTER_OTLP_HEADERS" })
        #expect(result.status == 0, "\(result.stderr)")
        receiver.stop()
        #expect(!FileManager.default.fileExists(atPath: spansFile))
    }

    @Test("roma serve exports each execution as a trace: goal span, node spans, model calls")
    func serveExportsTraces() async throws {
        let python = try #require(ObservabilityFixture.python)
        let folder = try TemporaryFolder()
        let spansFile = folder.url.appendingPathComponent("spans.jsonl").path
        let (receiver, port) = try ObservabilityFixture.startReceiver(python: python, spansFile: spansFile)
        defer { receiver.stop() }
        let db = folder.url.appendingPathComponent("roma.db").path
        let key = try runRoma(["serve", "--db", db, "keys", "create"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ChildProcess(
            Fixtures.romaBinary.path, ["serve", "--provider", "offline", "--port", "0", "--db", db],
            environment: [
                "LOG_LEVEL": "info", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)", "OTEL_SERVICE_NAME": "roma-api",
            ],
            readingStderr: true)
        defer { server.stop() }
        let api = try server.address(logged: "roma serve listening")

        func request(_ method: String, _ path: String, body: String? = nil) async throws -> JSONValue? {
            var request = URLRequest(url: try #require(URL(string: api + path)))
            request.httpMethod = method
            request.setValue(key, forHTTPHeaderField: "X-API-Key")
            if let body {
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            return try? JSONParser.parse(try await URLSession.shared.data(for: request).0)
        }
        let created = try await request(
            "POST", "/api/v1/executions", body: #"{"goal": "Compare two ways to brew tea", "config_profile": "fast", "max_depth": 2}"#)
        let id = try #require(created?["execution_id"]?.stringValue)
        try server.waitForFinished([id])
        let details = try await request("GET", "/api/v1/executions/\(id)")
        try #require(details?["status"]?.stringValue == "completed")
        let dag = try await request("GET", "/api/v1/executions/\(id)/dag")
        let nodeCount = try #require(dag?["dag"]?["nodes"]?.arrayValue?.count)
        // A graceful stop flushes the exporter's batch.
        server.process.terminate()
        server.process.waitUntilExit()
        receiver.stop()

        let spans = try ObservabilityFixture.spans(spansFile)
        #expect(spans.allSatisfy { $0["service_name"]?.stringValue == "roma-api" })
        let goal = try #require(spans.first { $0["attributes"]?["roma.execution_id"]?.stringValue == id })
        #expect(goal["name"]?.stringValue?.hasPrefix("roma.goal ") == true)
        let trace = spans.filter { $0["trace_id"] == goal["trace_id"] }
        #expect(trace.filter { $0["name"]?.stringValue?.hasPrefix("roma.node ") == true }.count == nodeCount)
        #expect(
            trace.filter { $0["name"]?.stringValue?.hasPrefix("chat ") == true }.count == details?["metadata"]?["agent_calls"]?.intValue)
    }

    @Test("/metrics, parsed by prometheus_client, counts a known workload")
    func metrics() async throws {
        let python = try #require(ObservabilityFixture.python)
        let folder = try TemporaryFolder()
        let db = folder.url.appendingPathComponent("roma.db").path
        let config = folder.url.appendingPathComponent("serve.yaml").path
        // The offline model answers under the profile's model name; price it.
        try "pricing:\n  claude-3.5-haiku: { input: 1, output: 5 }\n".write(toFile: config, atomically: true, encoding: .utf8)
        let key = try runRoma(["serve", "--db", db, "keys", "create"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!key.isEmpty)
        let server = try ChildProcess(
            Fixtures.romaBinary.path,
            ["serve", "--provider", "offline", "--port", "0", "--metrics-port", "0", "--db", db, "--config", config],
            environment: ["LOG_LEVEL": "info"], readingStderr: true)
        defer { server.stop() }
        let metricsURL = try server.address(logged: "roma serve metrics")
        let api = try server.address(logged: "roma serve listening")

        func request(_ method: String, _ path: String, body: String? = nil, key: String? = nil) async throws -> (Int, JSONValue?) {
            var request = URLRequest(url: try #require(URL(string: api + path)))
            request.httpMethod = method
            if let key { request.setValue(key, forHTTPHeaderField: "X-API-Key") }
            if let body {
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONParser.parse(data))
        }

        // The workload: two executions created, one request without a key, a status poll per execution.
        var ids: [String] = []
        for goal in ["Say hello", "Name three colours"] {
            let (status, body) = try await request(
                "POST", "/api/v1/executions", body: "{\"goal\": \"\(goal)\", \"config_profile\": \"fast\", \"max_depth\": 1}", key: key)
            #expect(status == 202)
            ids.append(try #require(body?["execution_id"]?.stringValue))
        }
        let (unauthorized, _) = try await request("GET", "/api/v1/executions")
        #expect(unauthorized == 401)
        // Waits on the server's own "execution finished" log lines, then reads each execution once.
        try server.waitForFinished(ids)
        var polls = 0
        var details: [JSONValue] = []
        for id in ids {
            let (_, body) = try await request("GET", "/api/v1/executions/\(id)", key: key)
            polls += 1
            try #require(body?["status"]?.stringValue == "completed")
            details.append(try #require(body))
        }

        var metricsRequest = URLRequest(url: try #require(URL(string: metricsURL)))
        metricsRequest.httpMethod = "GET"
        let (text, metricsResponse) = try await URLSession.shared.data(for: metricsRequest)
        #expect((metricsResponse as? HTTPURLResponse)?.statusCode == 200)
        let parser = Process()
        parser.executableURL = URL(fileURLWithPath: python)
        parser.arguments = [ObservabilityFixture.folder.appendingPathComponent("parse_metrics.py").path]
        let input = Pipe()
        let output = Pipe()
        parser.standardInput = input
        parser.standardOutput = output
        try parser.run()
        input.fileHandleForWriting.write(text)
        try input.fileHandleForWriting.close()
        let parsed = output.fileHandleForReading.readDataToEndOfFile()
        parser.waitUntilExit()
        #expect(parser.terminationStatus == 0, "prometheus_client could not parse:\n\(String(decoding: text, as: UTF8.self))")
        let samples = try #require(try JSONParser.parse(parsed).arrayValue)
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
            samples.filter { sample in
                sample["name"]?.stringValue == name
                    && labels.allSatisfy { sample["labels"]?[$0.key]?.stringValue == $0.value }
            }.reduce(0) { $0 + (number($1["value"]) ?? 0) }
        }
        let created = ["route": "/api/v1/executions", "method": "POST", "status": "202"]
        #expect(value("roma_http_requests_total", created) == 2)
        #expect(value("roma_http_request_duration_seconds_count", created) == 2)
        #expect(value("roma_http_requests_total", ["method": "GET", "status": "401"]) == 1)
        #expect(
            value("roma_http_requests_total", ["route": "/api/v1/executions/{execution_id}", "method": "GET", "status": "200"])
                == Double(polls))
        #expect(value("roma_executions_total", ["status": "completed"]) == 2)
        #expect(value("roma_executions_running") == 0)
        let calls = details.compactMap { $0["metadata"]?["agent_calls"]?.intValue }.reduce(0, +)
        let tokens = details.compactMap { $0["metadata"]?["tokens_used"]?.intValue }.reduce(0, +)
        #expect(value("roma_model_calls_total", ["model": "claude-3.5-haiku"]) == Double(calls))
        #expect(value("roma_tokens_total", ["model": "claude-3.5-haiku"]) == Double(tokens))
        // The cost by model: the sum of the DAG nodes' costs.
        var cost = 0.0
        for id in ids {
            let (_, body) = try await request("GET", "/api/v1/executions/\(id)/dag", key: key)
            for node in body?["dag"]?["nodes"]?.arrayValue ?? [] { cost += number(node["cost_usd"]) ?? .nan }
        }
        #expect(cost > 0)
        #expect(abs(value("roma_cost_usd_total", ["model": "claude-3.5-haiku"]) - cost) < 1e-9)
    }
}

private func number(_ value: JSONValue?) -> Double? {
    switch value {
    case .int(let i): Double(i)
    case .double(let d): d
    default: nil
    }
}
