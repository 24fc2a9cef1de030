import ROMACore

/// A tool the model may call, as its server listed it.
public struct ToolDefinition: Sendable, Hashable, Codable {
    /// The manifest's name of the server that serves it.
    public var server: String
    /// The tool's name on its server.
    public var tool: String
    /// The name the model calls it by: the tool's own name, or `server__tool` when two servers
    /// offer tools of the same name.
    public var name: String
    /// What the tool does, in the server's words.
    public var description: String
    /// The JSON schema of its arguments.
    public var inputSchema: JSONValue

    /// Creates a definition.
    public init(server: String, tool: String, name: String? = nil, description: String, inputSchema: JSONValue) {
        self.server = server
        self.tool = tool
        self.name = name ?? tool
        self.description = description
        self.inputSchema = inputSchema
    }

    enum CodingKeys: String, CodingKey {
        case server, tool, name, description
        case inputSchema = "input_schema"
    }

    /// The definition with only the required arguments in its schema (no others allowed): the
    /// constrained turn of `tool_arguments: required`, for a small model that fills optional
    /// arguments with noise (SmolLM2 asked `fetch` for `max_length: 3` and got three characters).
    public var requiredArgumentsOnly: ToolDefinition {
        guard case .object(var schema) = inputSchema else { return self }
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        if case .object(let properties) = schema["properties"] ?? .null {
            schema["properties"] = .object(properties.filter { required.contains($0.key) })
        }
        schema["additionalProperties"] = .bool(false)
        var copy = self
        copy.inputSchema = .object(schema)
        return copy
    }

    /// The definitions an allow list permits, named for the model (unique names; `server__tool`
    /// where servers share a tool name), in a stable order.
    public static func allowed(_ all: [ToolDefinition], by references: [ToolReference]) -> [ToolDefinition] {
        var chosen = all.filter { definition in references.contains { $0.allows(server: definition.server, tool: definition.tool) } }
        chosen.sort { ($0.server, $0.tool) < ($1.server, $1.tool) }
        var counts: [String: Int] = [:]
        for definition in chosen { counts[definition.tool, default: 0] += 1 }
        for index in chosen.indices {
            let definition = chosen[index]
            chosen[index].name = counts[definition.tool, default: 0] > 1 ? "\(definition.server)__\(definition.tool)" : definition.tool
        }
        return chosen
    }
}

/// A call of a tool the model asked for.
public struct ToolCall: Sendable, Hashable, Codable {
    /// The call's id (native function calling sets it; the constrained turn numbers calls).
    public var id: String
    /// The tool's name as the model knows it.
    public var name: String
    /// The arguments as JSON text, as the model wrote them.
    public var arguments: String

    /// Creates a call.
    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

extension ToolDefinition: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("description", description)
        writer.member("input_schema", inputSchema)
        writer.member("name", name)
        writer.member("server", server)
        writer.member("tool", tool)
        writer.endObject()
    }
}

extension ToolCall: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("arguments", arguments)
        writer.member("id", id)
        writer.member("name", name)
        writer.endObject()
    }
}
