import ROMACore

/// The body POSTed to `metadata.webhook_url` when an execution reaches a terminal status.
struct WebhookPayload: Sendable, Hashable, Encodable {
    struct Metadata: Sendable, Hashable, Encodable {
        var webhookToken: String?

        enum CodingKeys: String, CodingKey {
            case webhookToken = "webhook_token"
        }
    }

    var executionId: String
    var status: ExecutionStatus
    var result: String?
    var error: APIError?
    var metadata: Metadata

    enum CodingKeys: String, CodingKey {
        case status, result, error, metadata
        case executionId = "execution_id"
    }

    /// The payload for a finished execution (the token is added at delivery).
    init(execution: StoredExecution) {
        executionId = execution.id
        status = execution.status
        result = execution.result
        error = execution.status == .completed ? nil : execution.error
        metadata = Metadata(webhookToken: nil)
    }

    /// Encodes `result` as JSON `null` when absent, as the documented payload always has the key.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(executionId, forKey: .executionId)
        try c.encode(status, forKey: .status)
        try c.encode(result, forKey: .result)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encode(metadata, forKey: .metadata)
    }
}
