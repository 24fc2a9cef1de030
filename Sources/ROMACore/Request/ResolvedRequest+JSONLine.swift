// `request.json` by the hand-written writer: the same bytes as `JSONEncoder`, keys in UTF-8 byte
// order, nil overrides left out. Every goal's request is encoded to decide whether its folder is
// current, and again when the goal starts, so this is on the path of every run, not only replays.

extension ResolvedRequest: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("agent_models", agentModels)
        writer.member("config_overrides", configOverrides)
        writer.member("config_profile", configProfile.rawValue)
        writer.member("goal", goal)
        writer.member("id", id)
        writer.member("max_depth", maxDepth)
        writer.member("max_tokens", maxTokens)
        writer.member("metadata", metadata)
        writer.member("min_depth", minDepth)
        writer.member("model", model)
        writer.member("temperature", temperature)
        if let tools { writer.member("tools", tools) }
        writer.endObject()
    }
}

extension ConfigOverrides: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("max_tokens", maxTokens)
        writer.member("model", model)
        writer.member("temperature", temperature)
        writer.endObject()
    }
}
