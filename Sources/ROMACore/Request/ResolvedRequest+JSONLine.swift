// `request.json` by the hand-written writer: the same bytes as `JSONEncoder`, keys in UTF-8 byte
// order, nil overrides left out. Every goal's request is encoded once per run to decide whether
// its folder is current, so this is on the path of every run, not only replays.

extension ResolvedRequest: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("config_overrides")
        configOverrides.write(to: &writer)
        writer.key("config_profile")
        writer.string(configProfile.rawValue)
        writer.key("goal")
        writer.string(goal)
        writer.key("id")
        writer.string(id)
        writer.key("max_depth")
        writer.int(maxDepth)
        writer.key("max_tokens")
        writer.int(maxTokens)
        writer.key("metadata")
        writer.object(metadata) { writer, value in writer.string(value) }
        writer.key("model")
        writer.string(model)
        writer.key("temperature")
        writer.double(temperature)
        writer.endObject()
    }
}

extension ConfigOverrides: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        if let maxTokens {
            writer.key("max_tokens")
            writer.int(maxTokens)
        }
        if let model {
            writer.key("model")
            writer.string(model)
        }
        if let temperature {
            writer.key("temperature")
            writer.double(temperature)
        }
        writer.endObject()
    }
}
