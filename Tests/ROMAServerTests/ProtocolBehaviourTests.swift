import AsyncHTTPClient
import Foundation
import ROMACore
import Testing

@testable import ROMAServer

/// Behaviours of issue #14: the shapes and answers a client written from the docs relies on.
@Suite("429 shape, request ids, 405, connections, malformed input")
struct ProtocolBehaviourTests {
    @Test func theConcurrencyCapAnswersInTheDailyLimitsShape() async throws {
        let gate = Gate()
        let configuration = ServerConfiguration(maxConcurrentExecutions: 1, concurrencyRetryAfter: 7)
        try await LiveServer.with(configuration: configuration, model: GateModel(gate: gate)) { server in
            let first = try await server.create()
            let refused = try await server.request(.POST, "/api/v1/executions", key: server.key, body: #"{"goal": "two"}"#)
            #expect(refused.status == 429)
            #expect(refused.header("Retry-After") == "7")
            let details = try #require(refused.json?["error"]?["details"])
            #expect(details["limit"]?.intValue == 1)
            #expect(details["remaining"]?.intValue == 0)
            #expect(details["running"]?.intValue == 1)
            // What the docs' retry helper reads: `details.reset_at`, whole seconds, Retry-After ahead.
            let resetAt = try #require(details["reset_at"]?.stringValue)
            #expect(resetAt == RateLimitWindow.secondsTimestamp(server.clock.date().addingTimeInterval(7)))
            await gate.open()
            _ = await server.waitUntilFinished(first)
        }
    }

    @Test func everySuccessBodyCarriesTheRequestID() async throws {
        let gate = Gate()
        try await LiveServer.with(model: GateModel(gate: gate)) { server in
            let created = try await server.request(.POST, "/api/v1/executions", key: server.key, body: #"{"goal": "g"}"#)
            let id = try #require(created.json?["execution_id"]?.stringValue)
            var responses = [created]
            for path in [
                "/api/v1/executions", "/api/v1/executions/\(id)", "/api/v1/executions/\(id)/status", "/api/v1/executions/\(id)/dag",
            ] {
                responses.append(try await server.request(.GET, path, key: server.key))
            }
            responses.append(try await server.request(.POST, "/api/v1/executions/\(id)/cancel", key: server.key))
            for response in responses {
                #expect((200..<300).contains(response.status), "\(response.text)")
                let header = try #require(response.header("X-Request-ID"))
                #expect(response.json?["request_id"]?.stringValue == header, "\(response.text)")
            }
            await gate.open()
            _ = await server.waitUntilFinished(id)
        }
    }

    @Test(arguments: [
        ("POST", "/api/v1/executions/exec_x/status", "GET, OPTIONS"),
        ("GET", "/api/v1/executions/exec_x/cancel", "POST, OPTIONS"),
        ("DELETE", "/api/v1/executions", "POST, GET, OPTIONS"),
        ("PUT", "/api/v1/executions/exec_x", "GET, OPTIONS"),
        ("POST", "/openapi.yaml", "GET, OPTIONS"),
    ])
    func aKnownPathWithAnotherMethodIs405WithAllow(_ method: String, _ path: String, _ allow: String) async throws {
        try await LiveServer.with { server in
            let response = try await server.request(.init(rawValue: method), path, key: server.key)
            #expect(response.status == 405)
            #expect(response.header("Allow") == allow)
            #expect(response.errorCode == "invalid_request")
            #expect(response.json?["request_id"]?.stringValue == response.header("X-Request-ID"))
            let unknown = try await server.request(.init(rawValue: method), "/api/v1/nowhere", key: server.key)
            #expect(unknown.status == 404)
        }
    }

    @Test func idleConnectionsAreClosedAfterTheTimeout() async throws {
        try await LiveServer.with(configuration: ServerConfiguration(idleTimeout: .milliseconds(100))) { server in
            let idle = try await RawConnection.open(port: server.port)
            // Returns only once the server has closed the socket (the test would hang otherwise).
            #expect(try await idle.receiveUntilClosed().isEmpty)
        }
    }

    @Test func atTheConnectionCapTheServerServesOnceAnIdleSocketIsClosed() async throws {
        let configuration = ServerConfiguration(idleTimeout: .milliseconds(100), maxConnections: 1)
        try await LiveServer.with(configuration: configuration) { server in
            let idle = try await RawConnection.open(port: server.port)
            let response = try await server.request(.GET, "/api/v1/executions", key: server.key)
            #expect(response.status == 200)
            _ = try await idle.receiveUntilClosed()
        }
        #expect(ServerConfiguration.defaultMaxConnections <= 4096)
        #expect(ServerConfiguration().maxConnections == ServerConfiguration.defaultMaxConnections)
    }

    @Test(arguments: ["NOT HTTP AT ALL\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"])
    func malformedHTTPGetsTheErrorEnvelope(_ text: String) async throws {
        try await LiveServer.with { server in
            let connection = try await RawConnection.open(port: server.port)
            try await connection.send(text)
            let answer = try await connection.receiveUntilClosed()
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            let parts = answer.components(separatedBy: "\r\n\r\n")
            let body = try #require(parts.count == 2 ? parts[1] : nil)
            let envelope = try JSONDecoder().decode(APIErrorEnvelope.self, from: Data(body.utf8))
            #expect(envelope.error.code == "invalid_request")
            #expect(envelope.requestId?.hasPrefix("req_") == true)
            #expect(answer.lowercased().contains("content-type: application/json"))
        }
    }

    @Test func aRepeatedKeyInTheBodyIs400() async throws {
        try await LiveServer.with { server in
            let repeated = try await server.request(
                .POST, "/api/v1/executions", key: server.key, body: #"{"goal": "first", "max_depth": 1, "goal": "second"}"#)
            #expect(repeated.status == 400)
            #expect(repeated.json?["error"]?["details"]?["field"]?.stringValue == "goal")
            #expect(repeated.json?["error"]?["details"]?["issue"]?.stringValue == "duplicate")
            let nested = try await server.request(
                .POST, "/api/v1/executions", key: server.key, body: #"{"goal": "g", "metadata": {"a": "1", "a": "2"}}"#)
            #expect(nested.status == 400)
            #expect(nested.json?["error"]?["details"]?["issue"]?.stringValue == "duplicate")
            let trailing = try await server.request(.POST, "/api/v1/executions", key: server.key, body: #"{"goal": "g",}"#)
            #expect(trailing.status == 400)
            #expect(trailing.json?["error"]?["details"]?["field"]?.stringValue == "body")
        }
    }

    /// The choices `openapi.yaml` now writes down: `null` optional members mean "absent",
    /// number and boolean metadata values are kept as their text, and every list parameter
    /// given must be valid (an empty one is a 400, not "no filter").
    @Test func theDocumentsChoicesHold() async throws {
        try await LiveServer.with { server in
            let id = try await server.create(
                #"{"goal": "g", "max_depth": null, "config_profile": null, "config_overrides": null, "metadata": {"n": 1.5e3, "b": true, "s": "x"}}"#
            )
            _ = await server.waitUntilFinished(id)
            let details = try await server.request(.GET, "/api/v1/executions/\(id)", key: server.key)
            #expect(
                details.json?["metadata"]?["user_metadata"]
                    == .object(["n": .string("1500"), "b": .string("true"), "s": .string("x")]))
            #expect(details.json?["config_profile"]?.stringValue == "general")
            let nullOverride = try await server.request(
                .POST, "/api/v1/executions", key: server.key, body: #"{"goal": "g", "config_overrides": {"temperature": null}}"#)
            #expect(nullOverride.status == 400)
            for query in ["created_after=", "status=", "offset=2147483648"] {
                let response = try await server.request(.GET, "/api/v1/executions?\(query)", key: server.key)
                #expect(response.status == 400, "\(query)")
            }
        }
    }
}
