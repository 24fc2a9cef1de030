import ROMAEngine

/// A gate that model calls wait at until it opens (or their task is cancelled).
actor Gate {
    private var isOpen = false
    private var waiting: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var cancelledEarly: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private var arrivals = 0
    private var arrivalWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    /// Waits until the gate opens; throws `CancellationError` if the task is cancelled first.
    func pass() async throws {
        arrivals += 1
        let ready = arrivalWaiters.filter { $0.count <= arrivals }
        arrivalWaiters.removeAll { $0.count <= arrivals }
        for waiter in ready { waiter.continuation.resume() }
        if isOpen { return }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if cancelledEarly.remove(id) != nil {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiting[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    private func cancel(_ id: UInt64) {
        if let continuation = waiting.removeValue(forKey: id) {
            continuation.resume(throwing: CancellationError())
        } else {
            cancelledEarly.insert(id)
        }
    }

    /// Lets every waiting and future call through.
    func open() {
        isOpen = true
        for continuation in waiting.values { continuation.resume() }
        waiting = [:]
    }

    /// Waits until at least `count` calls have arrived at the gate.
    func waitForArrivals(_ count: Int) async {
        if arrivals >= count { return }
        await withCheckedContinuation { arrivalWaiters.append((count, $0)) }
    }
}

/// The offline model behind a gate: executions stay `running` until the test opens it.
struct GateModel: LanguageModel {
    let gate: Gate
    let base = OfflineModel()

    var providerName: String { "offline" }

    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        try await gate.pass()
        return try await base.complete(request, context: context)
    }
}

/// The offline model, scripted by markers in the goal: `[fail]` fails every call (not retryable),
/// `[block]` waits at the gate; anything else answers at once.
struct ScriptedModel: LanguageModel {
    let gate: Gate
    let base = OfflineModel()

    var providerName: String { "offline" }

    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        let text = request.messages.map(\.content).joined(separator: "\n")
        if text.contains("[fail]") { throw LLMError(code: .badRequest, message: "scripted failure", status: 400) }
        if text.contains("[block]") { try await gate.pass() }
        return try await base.complete(request, context: context)
    }
}
