import ROMACore
import Tracing

/// One span of the engine's trace (goal, node, model call or tool call), or nothing at all when
/// tracing is off: then no tracer is asked for anything, so an untraced run pays a nil check.
///
/// Spans go to the process's tracer (`InstrumentationSystem`, bootstrapped by the executable with
/// the OTLP exporter). They carry names, ids, models, token counts, cost and status — never a
/// prompt, an answer or tool arguments.
struct EngineSpan: Sendable {
    private let span: (any Span)?

    /// Starts a span under the current one, when `enabled` (the name is not built otherwise).
    static func start(_ name: @autoclosure () -> String, kind: SpanKind = .internal, enabled: Bool) -> EngineSpan {
        EngineSpan(span: enabled ? startSpan(name(), ofKind: kind) : nil)
    }

    /// Sets an attribute.
    func set(_ key: String, _ value: String) {
        span?.attributes[key] = value
    }

    /// Sets an attribute.
    func set(_ key: String, _ value: Int) {
        span?.attributes[key] = value
    }

    /// Sets an attribute.
    func set(_ key: String, _ value: Bool) {
        span?.attributes[key] = value
    }

    /// Sets `roma.cost_usd` when the cost is known (an unknown cost is left out, not 0).
    func set(cost: @autoclosure () -> CostUSD) {
        guard let span, let dollars = cost().dollars else { return }
        span.attributes["roma.cost_usd"] = dollars
    }

    /// Marks the span failed with an error (its message only).
    func fail(_ message: String, type: String) {
        guard let span else { return }
        span.attributes["error.type"] = type
        span.setStatus(SpanStatus(code: .error, message: message))
    }

    /// Runs `operation` with this span as the current one, so spans started inside are its children.
    func within<T>(_ operation: () async throws -> T) async rethrows -> T {
        guard let span else { return try await operation() }
        return try await ServiceContext.withValue(span.context) { try await operation() }
    }

    /// Ends the span.
    func end() {
        span?.end()
    }
}
