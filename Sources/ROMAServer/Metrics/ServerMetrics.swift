import Metrics
import ROMACore
import ROMAEngine

/// What `roma serve` counts, through swift-metrics: a no-op until the process bootstraps a
/// metrics backend (`roma serve --metrics-port` bootstraps Prometheus; see `MetricsEndpoint`).
///
/// Names follow Prometheus's conventions (`_total` counters, `_seconds` durations); labels are
/// routes as registered (`/api/v1/executions/{id}`), never raw paths, so ids do not multiply series.
enum ServerMetrics {
    /// One answered request: counted by route, method and status, its duration in a histogram.
    static func request(route: String, method: String, status: Int, duration: Duration) {
        let dimensions = [("route", route), ("method", method), ("status", String(status))]
        Counter(label: "roma_http_requests_total", dimensions: dimensions).increment()
        Metrics.Timer(label: "roma_http_request_duration_seconds", dimensions: dimensions).recordNanoseconds(duration.nanoseconds)
    }

    /// An execution reached a terminal status.
    static func executionFinished(status: ExecutionStatus) {
        Counter(label: "roma_executions_total", dimensions: [("status", status.rawValue)]).increment()
    }

    /// How many executions run now.
    static func running(_ count: Int) {
        Gauge(label: "roma_executions_running").record(count)
    }

    /// One model call: counted, with its tokens and (when the model has a price) its cost, by model.
    static func call(model: String, tokens: Int, cost: CostUSD) {
        let dimensions = [("model", model)]
        Counter(label: "roma_model_calls_total", dimensions: dimensions).increment()
        Counter(label: "roma_tokens_total", dimensions: dimensions).increment(by: tokens)
        if let dollars = cost.dollars {
            FloatingPointCounter(label: "roma_cost_usd_total", dimensions: dimensions).increment(by: dollars)
        }
    }
}

extension Duration {
    /// Whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
