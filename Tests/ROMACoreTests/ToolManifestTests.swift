import Foundation
import ROMACore
import Testing

/// The `tools:` section, tool allow lists, the tool knobs of `engine:` and `min_depth`.
@Suite("Manifests: tools")
struct ToolManifestTests {
    static let servers = """
        version: 1
        tools:
          fetch:
            command: [mcp-server-fetch, --ignore-robots-txt]
            env: [HTTPS_PROXY]
          docs:
            url: http://127.0.0.1:8931/mcp
            headers_env: { Authorization: DOCS_TOKEN }

        """

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var yaml: String
        /// `line:column`, key path and message of the one error expected.
        var position: String
        var keyPath: String
        var message: String
        var testDescription: String { label }
    }

    static let rejected: [Case] = [
        Case(
            label: "a defaults list naming a missing server",
            yaml: servers + "defaults:\n  tools: [fetch, serch]\ngoals: [x]\n",
            position: "10:18", keyPath: "defaults.tools[1]",
            message: "names the tool server 'serch', which the manifest's tools: section lacks"),
        Case(
            label: "a goal list naming a missing server",
            yaml: servers + "goals:\n  - goal: x\n    tools: [docs.search, prices]\n",
            position: "11:26", keyPath: "goals[0].tools[1]",
            message: "names the tool server 'prices', which the manifest's tools: section lacks"),
        Case(
            label: "a profile list naming a missing server",
            yaml: servers + "profiles:\n  crypto_agent: { model: m, tools: [prices] }\ngoals: [x]\n",
            position: "10:37", keyPath: "profiles.crypto_agent.tools[0]",
            message: "names the tool server 'prices', which the manifest's tools: section lacks"),
        Case(
            label: "a tool list in a manifest without tools",
            yaml: "version: 1\ndefaults:\n  tools: [fetch]\ngoals: [x]\n",
            position: "3:11", keyPath: "defaults.tools[0]",
            message: "names the tool server 'fetch', which the manifest's tools: section lacks"),
        Case(
            label: "a literal secret where a header's variable belongs",
            yaml: "tools:\n  docs:\n    url: http://127.0.0.1:1/mcp\n    headers_env: { Authorization: Bearer abc123 }\ngoals: [x]\n",
            position: "4:35", keyPath: "tools.docs.headers_env.Authorization",
            message: "looks like a value, not the name of a variable holding one"),
        Case(
            label: "an interpolated value where a variable name belongs",
            yaml: "tools:\n  fetch:\n    command: [f]\n    env: [\"${HOME}\"]\ngoals: [x]\n",
            position: "4:11", keyPath: "tools.fetch.env[0]",
            message: "looks like a value, not the name of a variable holding one"),
        Case(
            label: "an assignment where a variable name belongs",
            yaml: "tools:\n  fetch:\n    command: [f]\n    env: [TOKEN=sk-123]\ngoals: [x]\n",
            position: "4:11", keyPath: "tools.fetch.env[0]",
            message: "looks like a value, not the name of a variable holding one"),
        Case(
            label: "a server with neither command nor url",
            yaml: "tools:\n  fetch: { env: [A] }\ngoals: [x]\n",
            position: "2:10", keyPath: "tools.fetch.command", message: "is required (or url)"),
        Case(
            label: "a server with both command and url",
            yaml: "tools:\n  fetch: { command: [f], url: \"http://127.0.0.1:1/\" }\ngoals: [x]\n",
            position: "2:31", keyPath: "tools.fetch", message: "has both command and url"),
        Case(
            label: "an empty command",
            yaml: "tools:\n  fetch: { command: [] }\ngoals: [x]\n",
            position: "2:21", keyPath: "tools.fetch.command", message: "is empty"),
        Case(
            label: "a url that is not one",
            yaml: "tools:\n  docs: { url: \"nope\" }\ngoals: [x]\n",
            position: "2:16", keyPath: "tools.docs.url", message: "'nope' is not a URL"),
        Case(
            label: "an unknown server key",
            yaml: "tools:\n  fetch: { command: [f], args: [x] }\ngoals: [x]\n",
            position: "2:26", keyPath: "tools.fetch.args", message: "unknown key"),
        Case(
            label: "a server name that is not a name",
            yaml: "tools:\n  \"my server\": { command: [f] }\ngoals: [x]\n",
            position: "2:3", keyPath: "tools.my server", message: "'my server' cannot name a tool server"),
        Case(
            label: "max_tool_calls out of range",
            yaml: "engine: { max_tool_calls: 101 }\ngoals: [x]\n",
            position: "1:27", keyPath: "engine.max_tool_calls", message: "101 is out of range"),
        Case(
            label: "tool_timeout_seconds of zero",
            yaml: "engine: { tool_timeout_seconds: 0 }\ngoals: [x]\n",
            position: "1:33", keyPath: "engine.tool_timeout_seconds", message: "0 is out of range"),
        Case(
            label: "an unknown tool_calling mode",
            yaml: "engine: { tool_calling: always }\ngoals: [x]\n",
            position: "1:25", keyPath: "engine.tool_calling", message: "unknown mode 'always'"),
        Case(
            label: "an unknown tool_choice",
            yaml: "engine: { tool_choice: always }\ngoals: [x]\n",
            position: "1:24", keyPath: "engine.tool_choice", message: "unknown choice 'always'"),
        Case(
            label: "an unknown tool_arguments",
            yaml: "engine: { tool_arguments: optional }\ngoals: [x]\n",
            position: "1:27", keyPath: "engine.tool_arguments", message: "unknown choice 'optional'"),
        Case(
            label: "min_depth deeper than max_depth",
            yaml: "goals:\n  - { goal: x, max_depth: 2, min_depth: 3 }\n",
            position: "2:5", keyPath: "goals[0].min_depth", message: "3 is deeper than max_depth 2"),
        Case(
            label: "a tools list that is a string",
            yaml: servers + "defaults:\n  tools: fetch\ngoals: [x]\n",
            position: "10:10", keyPath: "defaults.tools", message: "is a string"),
    ]

    @Test("rejected, located like every other key", arguments: rejected)
    func rejectedCases(_ c: Case) throws {
        let (manifest, diagnostics) = ManifestLoader(environment: ["HOME": "/root"]).load(bytes: Array(c.yaml.utf8), file: "t.yaml")
        #expect(manifest == nil)
        #expect(diagnostics.count == 1, "\(diagnostics.map(\.headline))")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.file == "t.yaml")
        #expect(diagnostic.position == c.position, "\(diagnostic.headline)")
        #expect(diagnostic.keyPath == c.keyPath, "\(diagnostic.headline)")
        #expect(diagnostic.message.hasPrefix(c.message), "\(diagnostic.headline)")
        #expect(diagnostic.sourceLine != nil)
    }

    @Test("a secret in the environment never reaches the manifest's values")
    func secretsStayNames() throws {
        let yaml = Self.servers + "defaults:\n  tools: [fetch]\ngoals:\n  - goal: x\n    tools: [docs.search]\n  - y\n"
        let environment = ["DOCS_TOKEN": "s3cret-token", "HTTPS_PROXY": "http://proxy.invalid"]
        let (loaded, diagnostics) = ManifestLoader(environment: environment).load(bytes: Array(yaml.utf8), file: "t.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.headline))")
        let manifest = try #require(loaded)
        #expect(manifest.tools["docs"]?.transport == .http(url: "http://127.0.0.1:8931/mcp", headers: ["Authorization": "DOCS_TOKEN"]))
        #expect(
            manifest.tools["fetch"]?.transport
                == .stdio(command: ["mcp-server-fetch", "--ignore-robots-txt"], environment: ["HTTPS_PROXY"]))
        #expect(manifest.goals.map(\.tools) == [["docs.search"], ["fetch"]])
        #expect(!"\(manifest)".contains("s3cret"))
    }

    @Test("a profile's toolset is added to the goal's list; requests without tools hash as before")
    func resolution() throws {
        let yaml =
            Self.servers
            + "profiles:\n  crypto_agent: { model: m, tools: [docs] }\nengine: { max_tool_calls: 4, tool_timeout_seconds: 9 }\n"
            + "goals:\n  - { goal: x, config_profile: crypto_agent, tools: [fetch], min_depth: 1 }\n  - { goal: y }\n"
        let (loaded, diagnostics) = ManifestLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: "t.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.headline))")
        let manifest = try #require(loaded)
        #expect(manifest.engine.maxToolCalls == 4)
        #expect(manifest.engine.toolTimeoutSeconds == 9)
        var table = ProfileTable(models: manifest.profileModels)
        table.tools = manifest.profileTools
        let requests = manifest.goals.map {
            ResolvedRequest(id: $0.id, request: $0.request, profiles: table, tools: $0.tools, minDepth: $0.minDepth)
        }
        #expect(requests[0].tools == ["fetch", "docs"])
        #expect(requests[0].minDepth == 1)
        #expect(requests[1].tools == nil)
        let plain = ResolvedRequest(
            id: requests[1].id, request: manifest.goals[1].request, profiles: ProfileTable(models: manifest.profileModels))
        #expect(try CanonicalJSON.pretty(requests[1]) == CanonicalJSON.pretty(plain))
        let text = String(decoding: try CanonicalJSON.pretty(requests[0]), as: UTF8.self)
        #expect(text.contains("\"tools\"") && text.contains("\"min_depth\""))
        #expect(try CanonicalJSON.pretty(requests[0]) == CanonicalJSON.encode(requests[0]))
    }
}
