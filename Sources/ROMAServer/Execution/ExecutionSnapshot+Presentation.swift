import ROMAEngine

extension ExecutionSnapshot {
    /// The API's `progress` of a running execution: 0–99 (100 is for completed executions only).
    var runningProgress: Int { min(99, percent) }

    /// The API's `current_step`: the goal of the node that started last, cut at 200 characters.
    var stepDescription: String? {
        currentStep.map { $0.count > 200 ? String($0.prefix(200)) + "…" : $0 }
    }
}
