import AsyncHTTPClient
import Foundation
import Logging
internal import NIOCore
internal import NIOHTTP1
import ROMAShared
import ServiceLifecycle

/// Delivers webhooks, retrying with exponential backoff: a `Service` whose `run()` owns one task
/// group, with a child task per delivery.
///
/// Delivery never affects an execution: it starts after the outcome is stored, and its failures
/// are only logged. Pending deliveries are abandoned when the server stops (they are not stored).
actor WebhookDispatcher: Service {
    private struct Delivery: Sendable {
        let payload: WebhookPayload
        let url: String
        let token: String?
    }

    private let client: HTTPClient
    private let policy: RetryPolicy
    private let sleeper: any Sleeper
    private let logger: Logger
    private let queue: AsyncStream<Delivery>
    private let queueSink: AsyncStream<Delivery>.Continuation
    private var stopping = false

    init(client: HTTPClient, policy: RetryPolicy, sleeper: any Sleeper, logger: Logger) {
        self.client = client
        self.policy = policy
        self.sleeper = sleeper
        self.logger = logger
        (queue, queueSink) = AsyncStream.makeStream(of: Delivery.self)
    }

    /// Schedules a delivery.
    func deliver(_ payload: WebhookPayload, to url: String, token: String?) {
        guard !stopping else { return }
        var payload = payload
        payload.metadata.webhookToken = token
        queueSink.yield(Delivery(payload: payload, url: url, token: token))
    }

    /// Delivers until graceful shutdown, then abandons pending deliveries and returns once they
    /// have stopped.
    nonisolated func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await gracefulShutdown()
                await self.stop()
            }
            for await delivery in queue {
                group.addTask { await self.attempt(delivery.payload, to: delivery.url, token: delivery.token) }
            }
            group.cancelAll()
        }
    }

    private func stop() {
        stopping = true
        queueSink.finish()
    }

    private nonisolated func attempt(_ payload: WebhookPayload, to url: String, token: String?) async {
        let target = Self.redacted(url)
        let body: Data
        do {
            body = try APIJSON.encode(payload)
        } catch {
            logger.error("could not encode a webhook payload", metadata: ["execution_id": "\(payload.executionId)"])
            return
        }
        var attempt = 1
        while !Task.isCancelled {
            var failure: String
            do {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "User-Agent", value: "roma-serve")
                if let token { request.headers.add(name: "X-Webhook-Token", value: token) }
                request.body = .bytes(ByteBuffer(bytes: body))
                let response = try await client.execute(request, timeout: .seconds(10))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(response.status.code) {
                    logger.info(
                        "webhook delivered",
                        metadata: ["execution_id": "\(payload.executionId)", "target": "\(target)", "attempt": "\(attempt)"])
                    return
                }
                failure = "HTTP \(response.status.code)"
            } catch {
                failure = "\(type(of: error))"
            }
            guard attempt < policy.maxAttempts else {
                logger.warning(
                    "webhook delivery failed; giving up",
                    metadata: [
                        "execution_id": "\(payload.executionId)", "target": "\(target)", "attempts": "\(attempt)",
                        "reason": "\(failure)",
                    ])
                return
            }
            let delay = policy.ceiling(afterAttempt: attempt)
            logger.notice(
                "webhook delivery failed; retrying",
                metadata: [
                    "execution_id": "\(payload.executionId)", "target": "\(target)", "attempt": "\(attempt)",
                    "reason": "\(failure)", "retry_in": "\(delay)",
                ])
            do {
                try await sleeper.sleep(for: delay)
            } catch {
                return
            }
            attempt += 1
        }
    }

    /// `scheme://host[:port]` of a URL: paths and queries may carry secrets, so logs get only this.
    nonisolated static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "(invalid url)"
        }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// Whether a URL may receive webhooks: absolute http or https with a host.
    nonisolated static func isAllowed(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }
}
