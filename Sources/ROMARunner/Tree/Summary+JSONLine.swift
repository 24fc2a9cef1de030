import ROMACore

// Hand-written canonical JSON for `summary.json` and the shards' ledger: the same bytes as
// `JSONEncoder` (keys in UTF-8 byte order below, nil optionals left out). `JSONEncoder` built the
// whole summary as a tree of boxed values first: 34 MB on top of the run's memory, at its very
// end, for a 10,000-goal summary (peak RSS 124 MB against 90 MB before it was written).

extension Summary: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("counts")
        writer.object(counts) { $0.int($1) }
        writer.member("goals", goals)
        writer.member("manifest", manifest)
        writer.member("total_cost_usd", totalCostUSD)
        if let unpricedModels { writer.member("unpriced_models", unpricedModels) }
        writer.endObject()
    }
}

extension Summary.Row: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("config_profile", configProfile)
        writer.member("content_hash", contentHash)
        writer.member("cost_usd", costUSD)
        writer.member("error", error)
        writer.member("execution_id", executionId)
        writer.member("execution_time", executionTime)
        writer.member("goal", goal)
        writer.member("id", id)
        writer.member("llm_calls", llmCalls)
        writer.member("model", model)
        writer.member("nodes", nodes)
        writer.member("status", status)
        writer.member("tokens", tokens)
        if let unpricedModels { writer.member("unpriced_models", unpricedModels) }
        writer.endObject()
    }
}

extension SummaryLedger.Contents: JSONLineWritable {
    func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("rows")
        writer.object(rows) { row, value in value.write(to: &row) }
        writer.endObject()
    }
}
