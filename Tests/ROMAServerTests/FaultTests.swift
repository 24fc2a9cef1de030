import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

@Suite("Server-side failures and logs")
struct FaultTests {
    @Test func aStorageFailureInARouteIsA500InternalError() async throws {
        let faulty: @Sendable (SQLiteExecutionStore) -> any ExecutionStore = {
            FaultInjectingStore(base: $0, failures: NIOLockedValueBox(["list": .max]))
        }
        try await LiveServer.with(wrapStore: faulty) { server in
            let response = try await server.request(.GET, "/api/v1/executions", key: server.key)
            #expect(response.status == 500)
            #expect(response.errorCode == "internal_error")
            #expect(response.json?["error"]?["message"]?.stringValue == "An unexpected error occurred")
            #expect(response.json?["request_id"]?.stringValue == response.header("X-Request-ID"))
            #expect(response.header("X-RateLimit-Remaining") != nil)
        }
    }

    @Test func aStorageFailureDuringAuthenticationIsA503() async throws {
        let faulty: @Sendable (SQLiteExecutionStore) -> any ExecutionStore = {
            FaultInjectingStore(base: $0, failures: NIOLockedValueBox(["keys": .max]))
        }
        try await LiveServer.with(wrapStore: faulty) { server in
            let response = try await server.request(.GET, "/api/v1/executions", key: server.key)
            #expect(response.status == 503)
            #expect(response.errorCode == "service_unavailable")
        }
    }

    @Test func accessLogsHaveTheRequestButNeverTheKeyOrTheWebhookToken() async throws {
        let logs = LogCapture()
        try await WebhookReceiver.with(failures: 1) { url, receiver in
            try await LiveServer.with(logs: logs) { server in
                let id = try await server.create(
                    #"{"goal": "Log me", "max_depth": 1, "metadata": {"webhook_url": "\#(url)?sig=querysecret", "webhook_token": "tok_never_logged"}}"#
                )
                _ = await receiver.wait(for: 2)
                _ = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
                _ = try await server.request(.GET, "/api/v1/executions", key: "sk_live_" + String(repeating: "B", count: 32))
                let text = logs.text
                #expect(text.contains("method=GET"))
                #expect(text.contains("path=/api/v1/executions/\(id)/status"))
                #expect(text.contains("status=200"))
                #expect(text.contains("status=401"))
                #expect(text.contains("duration_ms="))
                #expect(text.contains("request_id=req_"))
                #expect(text.contains("webhook delivered"))
                #expect(!text.contains(server.key))
                #expect(!text.contains("sk_live_BBBB"))
                #expect(!text.contains("tok_never_logged"))
                #expect(!text.contains("querysecret"))
            }
        }
    }
}
