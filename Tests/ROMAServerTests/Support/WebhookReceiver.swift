import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ROMACore
import ServiceLifecycle

/// A tiny webhook endpoint on 127.0.0.1 that fails its first `failures` deliveries with 500.
actor WebhookReceiver {
    struct Delivery: Sendable {
        let token: String?
        let body: JSONValue?
        let answered: Int
    }

    private var failuresLeft: Int
    private(set) var deliveries: [Delivery] = []
    private var waiters: [(count: Int, continuation: CheckedContinuation<[Delivery], Never>)] = []

    init(failures: Int) {
        failuresLeft = failures
    }

    /// Records one delivery; returns the status to answer with.
    func receive(token: String?, body: Data) -> Int {
        let status = failuresLeft > 0 ? 500 : 200
        failuresLeft -= 1
        deliveries.append(Delivery(token: token, body: try? JSONDecoder().decode(JSONValue.self, from: body), answered: status))
        let ready = waiters.filter { $0.count <= deliveries.count }
        waiters.removeAll { $0.count <= deliveries.count }
        for waiter in ready { waiter.continuation.resume(returning: deliveries) }
        return status
    }

    /// Waits until `count` deliveries have arrived.
    func wait(for count: Int) async -> [Delivery] {
        if deliveries.count >= count { return deliveries }
        return await withCheckedContinuation { waiters.append((count, $0)) }
    }

    /// Runs a receiver for the duration of `body`, which gets its URL.
    static func with<T: Sendable>(failures: Int, _ body: @Sendable (String, WebhookReceiver) async throws -> T) async throws -> T {
        let receiver = WebhookReceiver(failures: failures)
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let token = request.headers[HTTPField.Name("X-Webhook-Token")!]
            let status = await receiver.receive(token: token, body: Data(bytes.readableBytesView))
            return Response(status: HTTPResponse.Status(code: status))
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("the receiver did not start") }
            do {
                let result = try await body("http://127.0.0.1:\(port)/hook", receiver)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
