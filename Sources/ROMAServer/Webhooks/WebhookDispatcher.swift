import AsyncHTTPClient
import Foundation
import Logging
internal import NIOCore
internal import NIOHTTP1
import ROMAEngine

/// Delivers webhooks in the background, retrying with exponential backoff.
///
/// Delivery never affects an execution: it starts after the outcome is stored, and its failures
/// are only logged. Pending deliveries are abandoned when the server stops (they are not stored).
actor WebhookDispatcher {
    private let client: HTTPClient
    private let policy: RetryPolicy
    private let sleeper: any Sleeper
    private let logger: Logger
    private var deliveries: [UInt64: Task<Void, Never>] = [:]
    private var nextID: UInt64 = 0
    private var stopping = false

    init(client: HTTPClient, policy: RetryPolicy, sleeper: any Sleeper, logger: Logger) {
        self.client = client
        self.policy = policy
        self.sleeper = sleeper
        self.logger = logger
    }

    /// Schedules a delivery.
    func deliver(_ payload: WebhookPayload, to url: String, token: String?) {
        guard !stopping else { return }
        var payload = payload
        payload.metadata.webhookToken = token
        let id = nextID
        nextID += 1
        deliveries[id] = Task {
            await self.attempt(payload, to: url, token: token)
            self.finished(id)
        }
    }

    /// Abandons pending deliveries and waits for them to stop.
    func shutdown() async {
        stopping = true
        let pending = Array(deliveries.values)
        for task in pending { task.cancel() }
        for task in pending { await task.value }
    }

    private func finished(_ id: UInt64) { deliveries[id] = nil }

    /// The wait after failed attempt `attempt` (1-based): base × 2^(attempt−1), capped.
    nonisolated static func backoff(afterAttempt attempt: Int, policy: RetryPolicy) -> Duration {
        min(policy.baseDelay * (1 << min(attempt - 1, 20)), policy.maxDelay)
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
            let delay = Self.backoff(afterAttempt: attempt, policy: policy)
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
