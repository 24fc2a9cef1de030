import Foundation
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

@Suite("X-Idempotency-Key")
struct IdempotencyTests {
    static let body = #"{"goal": "Analyze Bitcoin price", "config_profile": "crypto_agent"}"#

    func create(_ server: LiveServer, idempotencyKey: String, key: String? = nil) async throws -> TestResponse {
        try await server.request(
            .POST, "/api/v1/executions", key: key ?? server.key, body: Self.body, headers: [("X-Idempotency-Key", idempotencyKey)])
    }

    func total(_ server: LiveServer, key: String? = nil) async throws -> Int? {
        try await server.request(.GET, "/api/v1/executions", key: key ?? server.key).json?["pagination"]?["total"]?.intValue
    }

    @Test func aRepeatWithin24HoursReturnsTheOriginalResponse() async throws {
        try await LiveServer.with { server in
            let first = try await create(server, idempotencyKey: "order-1")
            #expect(first.status == 202)
            let id = try #require(first.json?["execution_id"]?.stringValue)
            _ = await server.waitUntilFinished(id)
            server.clock.advance(by: 23 * 3600)
            let repeated = try await create(server, idempotencyKey: "order-1")
            #expect(repeated.status == 202)
            #expect(repeated.body == first.body)
            #expect(repeated.header("Idempotent-Replayed") == "true")
            #expect(try await total(server) == 1)

            // Another idempotency key, or another API key with the same one: new executions.
            let other = try await create(server, idempotencyKey: "order-2")
            #expect(other.json?["execution_id"]?.stringValue != id)
            let otherKey = try await create(server, idempotencyKey: "order-1", key: server.keys[1])
            #expect(otherKey.status == 202)
            #expect(otherKey.json?["execution_id"]?.stringValue != id)

            // Past 24 hours the key is forgotten.
            server.clock.advance(by: 3600 + 1)
            let later = try await create(server, idempotencyKey: "order-1")
            #expect(later.status == 202)
            #expect(later.json?["execution_id"]?.stringValue != id)
            #expect(try await total(server) == 3)
            for id in [other, later].compactMap({ $0.json?["execution_id"]?.stringValue }) { _ = await server.waitUntilFinished(id) }
            if let id = otherKey.json?["execution_id"]?.stringValue { _ = await server.waitUntilFinished(id) }
        }
    }

    @Test func tenConcurrentDuplicatesCreateExactlyOneExecution() async throws {
        let gate = Gate()
        try await LiveServer.with(model: GateModel(gate: gate)) { server in
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<10 { group.addTask { try await create(server, idempotencyKey: "burst") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.map(\.status) == Array(repeating: 202, count: 10))
            #expect(Set(responses.map(\.body)).count == 1)
            #expect(try await total(server) == 1)
            let id = try #require(responses.first?.json?["execution_id"]?.stringValue)
            await gate.open()
            _ = await server.waitUntilFinished(id)
        }
    }

    @Test func invalidIdempotencyKeysAre400() async throws {
        try await LiveServer.with { server in
            let response = try await create(server, idempotencyKey: String(repeating: "k", count: 256))
            #expect(response.status == 400)
            #expect(response.json?["error"]?["details"]?["field"]?.stringValue == "X-Idempotency-Key")
        }
    }
}
