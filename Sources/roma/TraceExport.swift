import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Traces over OTLP/HTTP for `roma run` and `roma serve`, when the standard OpenTelemetry
/// variables ask for them.
///
/// `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set and not empty
/// turns it on; every other `OTEL_*` variable (headers, timeout, service name, resource
/// attributes, sampler, batch sizes, `OTEL_SDK_DISABLED`, `OTEL_TRACES_EXPORTER`) is read by
/// swift-otel. Unset, nothing is bootstrapped or started and the engine makes no spans.
enum TraceExport {
    /// Whether the environment asks for traces.
    static func isRequested(_ environment: [String: String]) -> Bool {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains {
            !(environment[$0] ?? "").isEmpty
        }
        return endpoint && environment["OTEL_SDK_DISABLED"]?.lowercased() != "true"
            && environment["OTEL_TRACES_EXPORTER"]?.lowercased() != "none"
    }

    /// Runs `body` with the exporter running when the environment asks for traces (`body` is told
    /// whether it does), then flushes every finished span before returning.
    static func around<T: Sendable>(
        _ environment: [String: String], _ body: (_ tracing: Bool) async throws -> T
    ) async throws -> T {
        guard isRequested(environment) else { return try await body(false) }
        let logger = Logger(label: "roma.otel", factory: { StreamLogHandler.standardError(label: $0) })
        var configuration = OTel.Configuration.default
        configuration.serviceName = "roma"
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let backend: (factory: any Tracer, service: any Service)
        do {
            let made = try OTel.makeTracingBackend(configuration: configuration)
            backend = (made.factory, made.service)
        } catch {
            Terminal.standardError.write("error: cannot start the OpenTelemetry trace exporter: \(error)\n")
            throw ExitStatus.usage
        }
        InstrumentationSystem.bootstrap(backend.factory)
        let group = ServiceGroup(configuration: .init(services: [.init(service: backend.service)], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let value = try await body(true)
                await group.triggerGracefulShutdown()  // the batch processor exports what it holds
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
