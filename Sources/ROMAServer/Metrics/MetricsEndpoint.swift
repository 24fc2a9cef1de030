import Hummingbird
import Logging
import Metrics
internal import NIOCore
import Prometheus

/// `roma serve --metrics-port P`: Prometheus text at `GET /metrics`, on its own port (so it can
/// stay inside the cluster while the API is public), without an API key.
public struct MetricsEndpoint: Sendable {
    /// The registry every metric of the process lands in.
    public let registry: PrometheusCollectorRegistry

    /// Bootstraps swift-metrics with Prometheus (once per process: the executable calls it).
    public static func bootstrap() -> MetricsEndpoint {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        ServerMetrics.running(0)
        return MetricsEndpoint(registry: registry)
    }

    /// The application serving `/metrics` on `host:port` (port 0: any free port, given to `onServerRunning`).
    public func makeApplication(
        host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        let registry = registry
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "roma-serve-metrics"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
