import ROMACore

extension Pricing {
    /// What a recorded call cost: its recorded usage at its model's price, so a replay reports
    /// the same cost as the run it replays (under the same prices).
    public func cost(_ call: CallRecord) -> CostUSD {
        cost(model: call.request.model, inputTokens: call.usage.promptTokens, outputTokens: call.usage.completionTokens)
    }

    /// What calls cost together, summed in the order given (the canonical order, so the figure is stable).
    public func cost(_ calls: [CallRecord]) -> CostUSD {
        calls.reduce(CostUSD.zero) { $0 + cost($1) }
    }

    /// The models of `calls` that have no price, sorted and each once: what made their cost unknown.
    public func unpricedModels(_ calls: [CallRecord]) -> [String] {
        Set(calls.map(\.request.model).filter { prices[$0] == nil }).sorted()
    }
}
