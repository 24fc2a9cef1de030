import ROMACore

extension ExecutionStatusResponse {
    /// The `GET /status` body with `request_id`, written by the canonical JSON writer: the same
    /// bytes as `APIJSON.encode(self, requestID:)` (keys sorted; `StatusBodyTests` compare the
    /// two), without `JSONEncoder`'s cost on the endpoint clients poll.
    func body(requestID: String) -> [UInt8] {
        var writer = JSONLineWriter(capacity: 384)
        writer.beginObject()
        writer.member("cancelled_at", cancelledAt)
        writer.member("completed_at", completedAt)
        writer.member("current_step", currentStep)
        writer.member("error", error)
        writer.member("execution_id", executionId)
        writer.member("failed_at", failedAt)
        writer.member("metadata", metadata)
        writer.member("progress", progress)
        writer.member("request_id", requestID)
        writer.member("result", result)
        writer.member("status", status.rawValue)
        writer.member("updated_at", updatedAt)
        writer.endObject()
        return writer.bytes
    }
}
