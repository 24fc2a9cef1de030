/// An MCP server a manifest may use, under a name of the manifest's choosing.
///
/// Secrets never appear here: environment variables and header values are named, and read from
/// the environment only when the server is started.
public struct ToolServer: Sendable, Hashable {
    /// How the server is reached.
    public enum Transport: Sendable, Hashable {
        /// A process started with this argv, speaking MCP over its standard input and output;
        /// `environment` names the variables passed through to it (nothing else is).
        case stdio(command: [String], environment: [String])
        /// A streamable-HTTP endpoint; `headers` maps a header name to the variable holding its value.
        case http(url: String, headers: [String: String])
    }

    /// The manifest's name for the server (`fetch`).
    public var name: String
    /// How the server is reached.
    public var transport: Transport

    /// Creates a server entry.
    public init(name: String, transport: Transport) {
        self.name = name
        self.transport = transport
    }

    /// The keys a `tools:` entry may have.
    public static let keys = ["command", "env", "url", "headers_env"]
}

/// One entry of a `tools:` allow list: a whole server (`fetch`) or one of its tools (`docs.search`).
public struct ToolReference: Sendable, Hashable, CustomStringConvertible {
    /// The server's name in the manifest.
    public var server: String
    /// The tool's name, or nil for every tool of the server.
    public var tool: String?

    /// Parses `server` or `server.tool`.
    public init(_ text: String) {
        if let dot = text.firstIndex(of: ".") {
            server = String(text[..<dot])
            tool = String(text[text.index(after: dot)...])
        } else {
            server = text
            tool = nil
        }
    }

    /// Whether the reference allows a tool of a server.
    public func allows(server: String, tool: String) -> Bool {
        self.server == server && (self.tool == nil || self.tool == tool)
    }

    public var description: String { tool.map { "\(server).\($0)" } ?? server }
}

/// Checks for names that stand for a secret: environment variables and MCP server names.
public enum ToolNames {
    /// Whether `text` is a variable name (`[A-Za-z_][A-Za-z0-9_]*`), not a value.
    public static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || first == "_" else {
            return false
        }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    /// Whether `text` can name a server: letters, digits, `_` and `-`, at most 64.
    public static func isServerName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
            }
    }
}
