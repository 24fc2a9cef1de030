import Foundation
import ROMACore
import ROMAYAML

/// Loads a manifest from text, with a fixed environment (tests never read the real one).
func loadManifest(
    _ text: String, file: String = "test.yaml", environment: [String: String] = [:]
) -> (manifest: Manifest?, diagnostics: [Diagnostic]) {
    let (manifest, diagnostics) = ManifestLoader(environment: environment).load(bytes: Array(text.utf8), file: file)
    return (manifest, diagnostics)
}

/// Decodes an API request body built from a JSON value.
func decodeRequest(_ body: JSONValue) throws -> Result<ExecutionRequest, RequestValidationError> {
    RequestDecoder.decode(json: try JSONEncoder().encode(body))
}

/// The folder of this test target's fixtures.
func fixturesURL() throws -> URL {
    guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        throw CocoaError(.fileNoSuchFile)
    }
    return url
}

/// The path of one fixture file.
func fixture(_ name: String) throws -> String {
    try fixturesURL().appendingPathComponent(name).path
}

/// The package's root folder, found from this source file's path (`Tests/ROMACoreTests/…`).
func packageRoot() -> URL {
    let thisFile: String = #filePath
    return URL(fileURLWithPath: thisFile).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}

/// Runs `body` with a fresh temporary folder, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("roma-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// One `key: value` of a goal, in the order it is written.
struct Field: Sendable {
    var key: String
    var value: JSONValue

    init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Writes a one-goal manifest in block style and records where every key and value starts,
/// so tests can expect exact diagnostics positions without counting columns by hand.
struct GoalManifest {
    struct Marks: Sendable, Hashable {
        var key: YAMLMark
        var value: YAMLMark
    }

    /// The manifest text.
    private(set) var text = "version: 1\ngoals:\n"
    /// Marks by key path relative to the goal (`config_overrides.temperature`).
    private(set) var marks: [String: Marks] = [:]
    /// Where the goal's mapping starts.
    let itemMark = YAMLMark(line: 3, column: 5)
    private var line = 3

    init(_ fields: [Field]) {
        if fields.isEmpty {
            text += "  - {}\n"
            return
        }
        for (index, field) in fields.enumerated() {
            emit(field.key, field.value, path: field.key, indent: 4, prefix: index == 0 ? "  - " : "    ")
        }
    }

    private mutating func emit(_ key: String, _ value: JSONValue, path: String, indent: Int, prefix: String) {
        let keyText = Self.keyText(key)
        let keyMark = YAMLMark(line: line, column: indent + 1)
        let valueColumn = indent + keyText.unicodeScalars.count + 3
        if case .object(let object) = value, !object.isEmpty {
            text += "\(prefix)\(keyText):\n"
            line += 1
            marks[path] = Marks(key: keyMark, value: YAMLMark(line: line, column: indent + 3))
            for (nestedKey, nestedValue) in object.sorted(by: { $0.key < $1.key }) {
                emit(
                    nestedKey, nestedValue, path: path + "." + nestedKey, indent: indent + 2,
                    prefix: String(repeating: " ", count: indent + 2))
            }
            return
        }
        text += "\(prefix)\(keyText): \(Self.flow(value))\n"
        marks[path] = Marks(key: keyMark, value: YAMLMark(line: line, column: valueColumn))
        line += 1
    }

    /// A value in YAML flow style (JSON is valid YAML flow).
    static func flow(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): quoted(s)
        case .array(let items): "[" + items.map(flow).joined(separator: ", ") + "]"
        case .object(let object):
            "{"
                + object.sorted(by: { $0.key < $1.key }).map { "\(keyText($0.key)): \(flow($0.value))" }
                .joined(separator: ", ") + "}"
        }
    }

    static func keyText(_ key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0))
            }
        return plain ? key : quoted(key)
    }

    static func quoted(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}

extension Diagnostic {
    /// `line:column`, for compact expectations.
    var position: String { "\(line):\(column)" }
}

extension String {
    /// `count` copies of the string.
    func times(_ count: Int) -> String { String(repeating: self, count: count) }
}
