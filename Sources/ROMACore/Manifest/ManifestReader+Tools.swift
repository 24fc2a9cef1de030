import Foundation
import ROMAYAML

extension ManifestReader {
    /// Reads the `tools:` section: MCP servers by name, each reached by `command` or by `url`.
    mutating func readToolServers(_ node: YAMLNode) -> [String: ToolServer] {
        var result: [String: ToolServer] = [:]
        for (name, mark, value) in nodes.mapping(node, "tools", allowed: nil) ?? [] {
            let path = "tools." + name
            guard ToolNames.isServerName(name) else {
                nodes.fail(
                    mark, path, "'\(name)' cannot name a tool server", expected: "1 to 64 letters, digits, '_' or '-'",
                    kind: .invalidValue)
                continue
            }
            guard let entries = nodes.mapping(value, path, allowed: ToolServer.keys) else { continue }
            let byKey = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            switch (byKey["command"], byKey["url"]) {
            case (let command?, nil):
                if let headers = byKey["headers_env"] {
                    nodes.fail(headers.mark, path + ".headers_env", "is for servers reached by url", expected: "env", kind: .invalidValue)
                }
                let argv = readCommand(command, path + ".command")
                let names = byKey["env"].map { readVariableList($0, path + ".env") } ?? []
                if let argv { result[name] = ToolServer(name: name, transport: .stdio(command: argv, environment: names)) }
            case (nil, let url?):
                if let env = byKey["env"] {
                    nodes.fail(env.mark, path + ".env", "is for servers started by command", expected: "headers_env", kind: .invalidValue)
                }
                let headers = byKey["headers_env"].map { readHeaderVariables($0, path + ".headers_env") } ?? [:]
                if let text = nodes.string(url, path + ".url", expected: "an http(s) URL") {
                    if let parsed = URL(string: text), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil {
                        result[name] = ToolServer(name: name, transport: .http(url: text, headers: headers))
                    } else {
                        nodes.fail(url.mark, path + ".url", "'\(text)' is not a URL", expected: "an http(s) URL", kind: .invalidValue)
                    }
                }
            case (_?, let url?):
                nodes.fail(url.mark, path, "has both command and url", expected: "one of command or url", kind: .invalidValue)
            case (nil, nil):
                nodes.fail(
                    value.mark, path + ".command", "is required (or url)", expected: "command: [argv…] or url: http://…",
                    kind: .missingRequiredField)
            }
        }
        return result
    }

    /// Reads a `tools:` allow list; every entry must name a server of the `tools:` section.
    mutating func readToolList(_ node: YAMLNode, _ path: String) -> [String]? {
        guard let items = node.items else {
            nodes.fail(
                node.mark, path, "is \(node.typeDescription)", expected: "a list of servers or server.tool names", kind: .invalidType)
            return nil
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = nodes.string(item, itemPath, expected: "a server or server.tool name") else { continue }
            let reference = ToolReference(text)
            guard servers[reference.server] != nil else {
                let known = servers.keys.sorted()
                let hint = Suggestion.closest(to: reference.server, in: known).map { "did you mean '\($0)'?" }
                nodes.fail(
                    item.mark, itemPath, "names the tool server '\(reference.server)', which the manifest's tools: section lacks",
                    expected: known.isEmpty ? "a server defined under tools:" : "one of \(known.joined(separator: ", "))", hint: hint,
                    kind: .invalidValue)
                continue
            }
            if reference.tool?.isEmpty == true {
                nodes.fail(item.mark, itemPath, "has no tool name after the '.'", expected: "server or server.tool", kind: .invalidValue)
                continue
            }
            if !result.contains(text) { result.append(text) }
        }
        return result
    }

    /// Reads an argv list; the first element is the program.
    private mutating func readCommand(_ node: YAMLNode, _ path: String) -> [String]? {
        let expected = "a non-empty list: the program and its arguments"
        guard let items = node.items else {
            nodes.fail(node.mark, path, "is \(node.typeDescription)", expected: expected, kind: .invalidType)
            return nil
        }
        guard !items.isEmpty else {
            nodes.fail(node.mark, path, "is empty", expected: expected, kind: .invalidValue)
            return nil
        }
        var argv: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = nodes.string(item, "\(path)[\(index)]", expected: "a string") else { return nil }
            argv.append(text)
        }
        if argv[0].isEmpty {
            nodes.fail(items[0].mark, path + "[0]", "is empty", expected: "the program to start", kind: .invalidValue)
            return nil
        }
        return argv
    }

    /// Reads a list of environment variable names.
    private mutating func readVariableList(_ node: YAMLNode, _ path: String) -> [String] {
        guard let items = node.items else {
            nodes.fail(node.mark, path, "is \(node.typeDescription)", expected: "a list of environment variable names", kind: .invalidType)
            return []
        }
        return items.enumerated().compactMap { index, item in variableName(item, "\(path)[\(index)]") }
    }

    /// Reads `header: VARIABLE` pairs.
    private mutating func readHeaderVariables(_ node: YAMLNode, _ path: String) -> [String: String] {
        var result: [String: String] = [:]
        for (header, _, value) in nodes.mapping(node, path, allowed: nil) ?? [] {
            if let name = variableName(value, path + "." + header) { result[header] = name }
        }
        return result
    }

    /// Reads the NAME of an environment variable, never interpolated: a value that is not a
    /// name (a token, `Bearer …`, `${VAR}`) is refused, so no secret is written in a manifest.
    private mutating func variableName(_ node: YAMLNode, _ path: String) -> String? {
        let expected = "the name of an environment variable, such as DOCS_TOKEN"
        guard let scalar = node.scalar, case .string(let text) = scalar.value else {
            nodes.fail(node.mark, path, "is \(node.typeDescription)", expected: expected, kind: .invalidType)
            return nil
        }
        guard ToolNames.isVariableName(text) else {
            nodes.fail(
                node.mark, path, "looks like a value, not the name of a variable holding one", expected: expected,
                hint: "secrets are read from the environment, never written in the manifest", kind: .invalidValue)
            return nil
        }
        return text
    }
}
