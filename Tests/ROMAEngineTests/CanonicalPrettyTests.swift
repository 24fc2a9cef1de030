import Foundation
import ROMACore
import Testing

/// `execution.json` and `dag.json` come from the hand-written writer in `JSONEncoder`'s pretty
/// layout; committed results trees were written by `JSONEncoder`, so the bytes must not drift.
@Suite("Canonical pretty JSON")
struct CanonicalPrettyTests {
    typealias Random = CanonicalLineTests.Random

    /// Any JSON value, for comparing the writer's pretty layout with `JSONEncoder`'s directly.
    struct Value: JSONLineWritable {
        var value: JSONValue
        func write(to writer: inout JSONLineWriter) { writer.value(value) }
    }

    /// Checks both layouts of a value: pretty against `CanonicalJSON.encode`, one line against `JSONEncoder`.
    func expectSameBytes(_ value: some JSONLineWritable & Encodable, _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        #expect(try CanonicalJSON.pretty(value) == CanonicalJSON.encode(value), "\(note)", sourceLocation: sourceLocation)
        #expect(value.canonicalLine == Array(try CanonicalJSON.encodeLine(value)), "\(note)", sourceLocation: sourceLocation)
    }

    @Test("execution details: pretty bytes as CanonicalJSON.encode, one line as JSONEncoder", arguments: 0..<20)
    func detailsMatchEncoder(seed: Int) throws {
        var random = Random(state: UInt64(2000 + seed))
        for _ in 0..<30 {
            let details = random.details()
            try expectSameBytes(details, "seed \(seed)")
        }
    }

    @Test("DAG responses: pretty bytes as CanonicalJSON.encode, one line as JSONEncoder", arguments: 0..<20)
    func dagResponsesMatchEncoder(seed: Int) throws {
        var random = Random(state: UInt64(3000 + seed))
        for _ in 0..<30 {
            let response = DAGResponse(executionId: random.text(), dag: random.dag())
            try expectSameBytes(response, "seed \(seed)")
        }
    }

    @Test("resolved requests (request.json): pretty bytes as CanonicalJSON.encode, one line as JSONEncoder", arguments: 0..<10)
    func requestsMatchEncoder(seed: Int) throws {
        var random = Random(state: UInt64(6000 + seed))
        for _ in 0..<30 {
            var request = ResolvedRequest(id: "g", request: ExecutionRequest(goal: "x"), profiles: ProfileTable(fallback: "m"))
            request.id = random.text()
            request.goal = random.text()
            request.maxDepth = random.below(11)
            request.configProfile = ConfigProfile.allCases[random.below(ConfigProfile.allCases.count)]
            request.configOverrides = ConfigOverrides(
                temperature: random.maybe { $0.double() }, maxTokens: random.maybe { $0.below(16_000) }, model: random.maybe { $0.text() })
            request.metadata = Dictionary(
                (0..<random.below(5)).map { _ in (random.text(), random.text()) }, uniquingKeysWith: { a, _ in a })
            request.model = random.text()
            request.temperature = random.double()
            request.maxTokens = random.below(16_000)
            try expectSameBytes(request, "seed \(seed)")
        }
    }

    @Test("JSON values, nested and empty containers: the same pretty layout as JSONEncoder", arguments: 0..<20)
    func valuesMatchEncoder(seed: Int) throws {
        var random = Random(state: UInt64(4000 + seed))
        for _ in 0..<50 {
            let value = random.json(depth: 0)
            #expect(try CanonicalJSON.pretty(Value(value: value)) == CanonicalJSON.encode(value), "seed \(seed)")
            let wrapped = JSONValue.array([value, .object(["v": value, "w": .array([value])])])
            #expect(try CanonicalJSON.pretty(Value(value: wrapped)) == CanonicalJSON.encode(wrapped), "seed \(seed)")
        }
    }

    @Test("containers nested past 64 levels (where the writer's open-container flags leave their word), in both layouts")
    func deepNestingMatchesEncoder() throws {
        for depth in [63, 64, 65, 66, 130] {
            var value = JSONValue.array([.int(1), .object([:]), .array([])])
            for level in 0..<depth {
                value = level.isMultiple(of: 2) ? .object(["a": .int(level), "b": value, "c": .array([])]) : .array([value, .string("x")])
            }
            #expect(try CanonicalJSON.pretty(Value(value: value)) == CanonicalJSON.encode(value), "depth \(depth)")
            #expect(Value(value: value).canonicalLine == Array(try CanonicalJSON.encodeLine(value)), "depth \(depth)")
        }
    }

    @Test("an empty DAG, every optional nil, empty containers")
    func emptyShapes() throws {
        let empty = DAGResponse(executionId: "", dag: DAG(nodes: [], edges: []))
        #expect(try CanonicalJSON.pretty(empty) == CanonicalJSON.encode(empty))
        let expected = """
            {
              "dag" : {
                "edges" : [

                ],
                "nodes" : [

                ],
                "stats" : {
                  "completed_nodes" : 0,
                  "failed_nodes" : 0,
                  "total_edges" : 0,
                  "total_nodes" : 0
                }
              },
              "execution_id" : ""
            }

            """
        #expect(String(decoding: try CanonicalJSON.pretty(empty), as: UTF8.self) == expected)

        let bare = ExecutionDetails(
            executionId: "e", status: .running, initialGoal: "g", result: nil, configProfile: .general, maxDepth: 0, dag: nil,
            metadata: ExecutionMetadata(), createdAt: "c", updatedAt: "u")
        try expectSameBytes(bare)

        for details: JSONValue in [.null, .array([]), .object([:]), .object(["": .array([.object([:]), .array([])])])] {
            var full = bare
            full.dag = DAG(
                nodes: [DAGNode(id: "node_0", type: "plan", taskType: "THINK", status: .pending, input: "", depth: 0, parent: nil)],
                edges: [])
            full.metadata = ExecutionMetadata(executionTime: 0, tokensUsed: 0, agentCalls: 0, userMetadata: [:])
            full.error = APIError(code: "", message: "", details: details)
            full.result = ""
            full.completedAt = ""
            full.failedAt = ""
            full.cancelledAt = ""
            try expectSameBytes(full)
        }
    }

    @Test("strings holding quotes, escapes, control characters and JSON punctuation are written as is")
    func awkwardStrings() throws {
        let awkward = [
            "\"", "\\", "\\\"", "\"\\", "a\"b\\c", "\n", "\r\n", "\t\u{0}\u{1}\u{1f}\u{7f}", "{", "}", "[", "]", ":", ",", " : ",
            "{\"a\":[1,2],\"b\":{}}", "[\n\n]", "é 日本 😀 \u{2028}", "/", "http://x/y", "",
        ]
        var random = Random(state: 77)
        for text in awkward {
            var details = random.details()
            details.initialGoal = text
            details.result = text
            details.metadata.userMetadata = [text: text, text + ":": text + ","]
            details.error = APIError(code: text, message: text, details: .object([text: .array([.string(text)])]))
            details.dag = DAG(
                nodes: [
                    DAGNode(
                        id: text, type: text, taskType: text, status: .failed, input: text, output: text, depth: 1, parent: text,
                        dependencies: [text, text], startedAt: text, completedAt: text, error: text)
                ],
                edges: [DAGEdge(from: text, to: text, type: text)])
            try expectSameBytes(details, "\(text.debugDescription)")
        }
    }

    @Test("the committed results trees: every execution.json and dag.json comes out byte for byte")
    func committedTrees() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardized
        let files = FileManager.default.enumerator(at: examples, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        var checked = 0
        for file in files where ["execution.json", "dag.json"].contains(file.lastPathComponent) {
            let data = try Data(contentsOf: file)
            if file.lastPathComponent == "dag.json" {
                #expect(try CanonicalJSON.pretty(CanonicalJSON.decode(DAGResponse.self, from: data)) == data, "\(file.path)")
            } else {
                #expect(try CanonicalJSON.pretty(CanonicalJSON.decode(ExecutionDetails.self, from: data)) == data, "\(file.path)")
            }
            checked += 1
        }
        #expect(checked >= 4)
    }

    @Test("a NaN or infinite execution time throws, as JSONEncoder does")
    func nonFiniteThrows() {
        var random = Random(state: 5)
        for time in [Double.nan, .infinity, -.infinity] {
            var details = random.details()
            details.metadata.executionTime = time
            #expect(throws: EncodingError.self) { try CanonicalJSON.encode(details) }
            #expect(throws: EncodingError.self) { try CanonicalJSON.pretty(details) }
        }
    }
}

extension CanonicalLineTests.Random {
    mutating func maybe<T>(_ make: (inout Self) -> T) -> T? {
        below(3) == 0 ? nil : make(&self)
    }

    mutating func node() -> DAGNode {
        let statuses: [NodeStatus] = [.pending, .running, .completed, .failed, .cancelled]
        return DAGNode(
            id: text(), type: text(), taskType: text(), status: statuses[below(statuses.count)], input: text(),
            output: maybe { $0.text() }, depth: below(6), parent: maybe { $0.text() },
            dependencies: (0..<below(4)).map { _ in text() }, startedAt: maybe { $0.text() }, completedAt: maybe { $0.text() },
            error: maybe { $0.text() }, llmCalls: below(50), tokensUsed: below(1_000_000))
    }

    mutating func dag() -> DAG {
        var dag = DAG(
            nodes: (0..<below(8)).map { _ in node() },
            edges: (0..<below(8)).map { _ in DAGEdge(from: text(), to: text(), type: text()) })
        if below(2) == 0 {
            dag.stats = DAGStats(totalNodes: below(100), completedNodes: below(100), failedNodes: below(100), totalEdges: below(100))
        }
        return dag
    }

    mutating func details() -> ExecutionDetails {
        let statuses = ExecutionStatus.allCases
        let metadata = ExecutionMetadata(
            executionTime: maybe { $0.double() }, tokensUsed: maybe { $0.below(1_000_000) }, agentCalls: maybe { $0.below(500) },
            userMetadata: maybe { random in
                var metadata: [String: String] = [:]
                for _ in 0..<random.below(5) { metadata[random.text()] = random.text() }
                return metadata
            },
            unpricedModels: maybe { random in
                var models: [String] = []
                for _ in 0..<random.below(3) { models.append(random.text()) }
                return models
            })
        let error = maybe { random in
            APIError(code: random.text(), message: random.text(), details: random.maybe { $0.json(depth: 0) })
        }
        return ExecutionDetails(
            executionId: text(), status: statuses[below(statuses.count)], initialGoal: text(), result: maybe { $0.text() },
            configProfile: ConfigProfile.allCases[below(ConfigProfile.allCases.count)], maxDepth: below(6), dag: maybe { $0.dag() },
            metadata: metadata, error: error, createdAt: text(), updatedAt: text(), completedAt: maybe { $0.text() },
            failedAt: maybe { $0.text() }, cancelledAt: maybe { $0.text() })
    }
}
