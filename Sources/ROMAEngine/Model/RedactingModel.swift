import ROMACore

/// A model whose answers, tool-call arguments and error messages pass through a `Redactor`
/// before the engine sees them.
///
/// `roma run` redacts where it writes (every file of the tree, every line it prints); `roma serve`
/// keeps an execution in many places (its store's progress, outcome and call journal, the API's
/// answers, webhooks), so it removes secrets where they come in instead: nothing the provider
/// echoes reaches the engine, and so none of those places.
public struct RedactingModel: LanguageModel {
    let base: any LanguageModel
    let redactor: Redactor

    /// Wraps a model.
    public init(_ base: any LanguageModel, redactor: Redactor) {
        self.base = base
        self.redactor = redactor
    }

    public var providerName: String { base.providerName }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        do {
            var response = try await base.complete(request, context: context)
            response.content = redactor.redact(response.content)
            response.toolCalls = response.toolCalls?.map { call in
                var call = call
                call.arguments = redactor.redact(call.arguments)
                return call
            }
            return response
        } catch var error as LLMError {
            error.message = redactor.redact(error.message)
            throw error
        }
    }
}
