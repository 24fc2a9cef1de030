import Foundation
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

@Suite("Daily request limit and X-RateLimit-* headers")
struct RateLimitTests {
    /// 2025-11-12T00:00:00Z, the midnight after the test clock's start.
    static let nextMidnight = 1_762_905_600

    @Test func theDailyLimitCountsEveryRequestAndResetsAtUTCMidnight() async throws {
        try await LiveServer.with(configuration: ServerConfiguration(dailyRequestLimit: 3)) { server in
            for remaining in [2, 1, 0] {
                let response = try await server.request(.GET, "/api/v1/executions", key: server.key)
                #expect(response.status == 200)
                #expect(response.header("X-RateLimit-Limit") == "3")
                #expect(response.header("X-RateLimit-Remaining") == String(remaining))
                #expect(response.header("X-RateLimit-Reset") == String(Self.nextMidnight))
            }
            let refused = try await server.request(.POST, "/api/v1/executions", key: server.key, body: #"{"goal": "x"}"#)
            #expect(refused.status == 429)
            #expect(refused.errorCode == "rate_limit_exceeded")
            #expect(refused.json?["error"]?["message"]?.stringValue == "Daily limit of 3 requests exceeded")
            #expect(
                refused.json?["error"]?["details"]
                    == .object(["limit": .int(3), "remaining": .int(0), "reset_at": .string("2025-11-12T00:00:00Z")]))
            #expect(refused.header("X-RateLimit-Remaining") == "0")
            #expect(refused.header("Retry-After") != nil)
            #expect(try await server.request(.GET, "/api/v1/executions", key: server.key).status == 429)

            // The other key has its own budget.
            let other = try await server.request(.GET, "/api/v1/executions", key: server.keys[1])
            #expect(other.status == 200)
            #expect(other.header("X-RateLimit-Remaining") == "2")

            // A new UTC day starts a new count.
            server.clock.advance(by: Double(Self.nextMidnight) - server.clock.date().timeIntervalSince1970)
            let tomorrow = try await server.request(.GET, "/api/v1/executions", key: server.key)
            #expect(tomorrow.status == 200)
            #expect(tomorrow.header("X-RateLimit-Remaining") == "2")
            #expect(tomorrow.header("X-RateLimit-Reset") == String(Self.nextMidnight + 86_400))
        }
    }

    @Test func everyResponseCarriesTheHeaders() async throws {
        try await LiveServer.with(configuration: ServerConfiguration(dailyRequestLimit: 50)) { server in
            let responses = [
                try await server.request(.GET, "/api/v1/executions", key: nil),  // 401
                try await server.request(.GET, "/api/v1/executions/exec_0000000000000000", key: server.key),  // 404
                try await server.request(.POST, "/api/v1/executions", key: server.key, body: "{}"),  // 400
                try await server.request(.OPTIONS, "/api/v1/executions"),  // 204
                try await server.request(.GET, "/openapi.yaml"),  // 200, public
            ]
            for response in responses {
                #expect(response.header("X-RateLimit-Limit") == "50", "\(response.status)")
                #expect(response.header("X-RateLimit-Remaining") != nil, "\(response.status)")
                #expect(response.header("X-RateLimit-Reset") == String(Self.nextMidnight), "\(response.status)")
            }
            #expect(responses.map(\.status) == [401, 404, 400, 204, 200])
            #expect(responses[2].header("X-RateLimit-Remaining") == "48")
        }
    }

    @Test func theWindowIsTheUTCDay() {
        let window = RateLimitWindow(now: Date(timeIntervalSince1970: 1_762_905_599), limit: 10)
        #expect(window.day == "2025-11-11")
        #expect(window.resetEpochSeconds == 1_762_905_600)
        let next = RateLimitWindow(now: Date(timeIntervalSince1970: 1_762_905_600), limit: 10)
        #expect(next.day == "2025-11-12")
    }
}
