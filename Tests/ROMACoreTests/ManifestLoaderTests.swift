import Foundation
import ROMACore
import ROMATestSupport
import Testing

@Suite("Loading manifests from files and folders")
struct ManifestLoaderTests {
    @Test("a folder is read for its *.yaml and *.yml files, in name order")
    func folder() throws {
        let folder = try fixturesURL().appendingPathComponent("batch").path
        let outcome = ManifestLoader(environment: [:]).load(paths: [folder])
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics.map(\.headline))")
        #expect(!outcome.hasErrors)
        #expect(outcome.files.map { ($0 as NSString).lastPathComponent } == ["a-first.yaml", "b-second.yml"])
        #expect(outcome.manifests.map(\.name) == ["batch-a", "b-second"])
        #expect(outcome.manifests.map { $0.goals.map(\.id) } == [["one"], ["one"]])
    }

    @Test("two manifests with one name: the second is an error naming the first")
    func duplicateNames() throws {
        let folder = try fixturesURL().appendingPathComponent("duplicate-names").path
        let outcome = ManifestLoader(environment: [:]).load(paths: [folder])
        #expect(outcome.hasErrors)
        #expect(outcome.manifests.map(\.name) == ["shared"])
        #expect(outcome.manifests.first?.goals.first?.request.goal == "From one.yaml")
        let diagnostic = try #require(outcome.diagnostics.first)
        #expect(outcome.diagnostics.count == 1)
        let one = (folder as NSString).appendingPathComponent("one.yaml")
        let two = (folder as NSString).appendingPathComponent("two.yaml")
        #expect(diagnostic.file == two)
        #expect(diagnostic.position == "1:1")
        #expect(diagnostic.keyPath == "name")
        #expect(diagnostic.message == "manifest name 'shared' is also used by \(one); both would write results/shared")
        #expect(diagnostic.expected == "a name unique across the manifests of one run")
    }

    @Test("the same file given twice clashes with itself by name")
    func sameFileTwice() throws {
        let file = try fixture("valid.yaml")
        let outcome = ManifestLoader(environment: [:]).load(paths: [file, file])
        #expect(outcome.manifests.count == 1)
        #expect(outcome.diagnostics.map(\.keyPath) == ["name"])
    }

    @Test("files and folders mix; errors of every file are kept, in file order")
    func mixed() throws {
        let outcome = ManifestLoader(environment: [:]).load(paths: [
            try fixture("several-errors.yaml"), try fixturesURL().appendingPathComponent("batch").path,
            try fixture("valid.yaml"),
        ])
        #expect(outcome.files.count == 4)
        #expect(outcome.manifests.map(\.name) == ["batch-a", "b-second", "fixture-valid"])
        #expect(outcome.diagnostics.count == 12)
        #expect(Set(outcome.diagnostics.map(\.file)) == [try fixture("several-errors.yaml")])
        #expect(outcome.hasErrors)
    }

    @Test("a missing path and a folder without manifests are errors")
    func missingAndEmpty() throws {
        let empty = try fixturesURL().appendingPathComponent("empty-folder").path
        let outcome = ManifestLoader(environment: [:]).load(paths: ["/nonexistent/roma.yaml", empty])
        #expect(outcome.manifests.isEmpty)
        #expect(
            outcome.diagnostics.map(\.message) == [
                "no such file or directory", "folder holds no manifest (*.yaml or *.yml)",
            ])
        #expect(outcome.diagnostics.map(\.file) == ["/nonexistent/roma.yaml", empty])
        #expect(outcome.diagnostics.allSatisfy { $0.line == 0 })
    }

    @Test("an unreadable file is an error, not a crash")
    func unreadable() throws {
        try withTemporaryDirectory { dir in
            let folderNamedYAML = dir.appendingPathComponent("looks-like.yaml")
            try FileManager.default.createDirectory(at: folderNamedYAML, withIntermediateDirectories: true)
            let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(file: folderNamedYAML.path)
            #expect(manifest == nil)
            #expect(diagnostics.map(\.message) == ["cannot read the file"])
        }
    }

    // MARK: Hostile files

    @Test("a 50 MB file is rejected by its size before it is read")
    func fiftyMegabyteFile() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("huge.yaml")
            #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: 50 << 20)  // sparse: the loader must not need to read it
            try handle.close()
            let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(file: url.path)
            #expect(manifest == nil)
            let diagnostic = try #require(diagnostics.first)
            #expect(diagnostics.count == 1)
            #expect(diagnostic.message == "file is 52428800 bytes, larger than the limit of 16777216 bytes")
            // Line 0: the file-level check fired, not the parser's (which reports 1:1 after reading).
            #expect(diagnostic.line == 0)
            #expect(diagnostic.sourceLine == nil)
        }
    }

    @Test("the loader's size limit is configurable and inclusive")
    func sizeLimit() throws {
        try withTemporaryDirectory { dir in
            let text = "goals: [x]\n"
            let url = dir.appendingPathComponent("m.yaml")
            try Data(text.utf8).write(to: url)
            let exact = ManifestLoader(environment: [:], limits: .init(maxBytes: text.utf8.count))
            #expect(exact.load(file: url.path).1.isEmpty)
            let smaller = ManifestLoader(environment: [:], limits: .init(maxBytes: text.utf8.count - 1))
            #expect(
                smaller.load(file: url.path).1.map(\.message) == ["file is 11 bytes, larger than the limit of 10 bytes"]
            )
        }
    }

    /// `load(bytes:file:)` decodes the whole input and splits it into lines before the parser
    /// checks its size, so an oversized input costs time and memory in proportion to its size
    /// (50 MB of newlines: 52 million substrings; see `roma-bench manifest`), and the diagnostic
    /// carries the whole first line. `load(file:)` reports the same problem at line 0 with no
    /// source line; an early size check in `load(bytes:file:)` would make the two agree.
    @Test("an oversized in-memory input is rejected before it is decoded")
    func oversizedInMemory() throws {
        let loader = ManifestLoader(environment: [:], limits: .init(maxBytes: 10))
        let (manifest, diagnostics) = loader.load(bytes: Array("goals: [x]\n".utf8), file: "m.yaml")
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.message == "file is 11 bytes, larger than the limit of 10 bytes")
        #expect(diagnostic.sourceLine == nil)
    }

    @Test("binary garbage ends in a located diagnostic", arguments: 0..<16)
    func garbage(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[0] = UInt8(ascii: "g")
        bytes[Int.random(in: 1..<4096, using: &rng)] = 0
        let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(bytes: bytes, file: "garbage.yaml")
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.line >= 1 && diagnostic.column >= 1)
        #expect(diagnostic.rendered().hasPrefix("garbage.yaml:\(diagnostic.line):\(diagnostic.column): error: "))
    }

    @Test(
        "deep nesting and alias bombs end in one diagnostic each",
        arguments: [
            (String(repeating: "[", count: 100_000), "1:65", "collections are nested more than 64 levels deep"),
            (
                "goals:\n"
                    + (0..<9).map { i in
                        let items =
                            i == 0 ? Array(repeating: "lol", count: 9) : Array(repeating: "*a\(i - 1)", count: 9)
                        return "  - &a\(i) [\(items.joined(separator: ", "))]"
                    }.joined(separator: "\n") + "\n",
                "8:45", "aliases expand to more than 5000000 nodes (an alias bomb?)"
            ),
        ])
    func deepAndBombs(_ text: String, _ position: String, _ message: String) throws {
        let (manifest, diagnostics) = loadManifest(text)
        #expect(manifest == nil)
        #expect(diagnostics.map(\.position) == [position])
        #expect(diagnostics.map(\.message) == [message])
    }

    /// Each diagnostic used to store a fresh copy of its whole line, so n errors on one line of
    /// length L cost n × L bytes: a flow-style manifest of 10,000 empty goals on one 117 KB line
    /// made 1.1 GB of copies (see `roma-bench manifest`), and `roma validate` printed all of it.
    /// The shown line is now clipped around the column.
    @Test("errors on one very long line do not each carry the whole line")
    func longLineDiagnostics() throws {
        let text = "goals: [" + Array(repeating: "{goal: \"\"}", count: 200).joined(separator: ", ") + "]\n"
        let (manifest, diagnostics) = loadManifest(text)
        #expect(manifest == nil)
        #expect(diagnostics.count == 200)
        #expect(diagnostics.last?.position == "1:\(8 + 199 * 12 + 8)")
        let longest = diagnostics.map { $0.sourceLine?.count ?? 0 }.max() ?? 0
        #expect(longest <= 240, "source lines of \(longest) characters")
        // Every caret still sits under the goal's empty string, and the column stays the true one.
        for diagnostic in diagnostics {
            let shown = Array(try #require(diagnostic.sourceLine).unicodeScalars)
            let caret = try #require(diagnostic.caretColumn)
            #expect(String(shown[(caret - 8)..<caret].map(Character.init)) == "{goal: \"")
            let rendered = diagnostic.rendered().split(separator: "\n").map(String.init)
            #expect(rendered[2].firstIndex(of: "^").map { rendered[2].distance(from: rendered[2].startIndex, to: $0) } == 4 + caret - 1)
        }
        #expect(diagnostics.map(\.column) == (0..<200).map { 8 + $0 * 12 + 8 })
    }

    // MARK: YAML problems inside manifests

    @Test("a YAML syntax error stops the file with one located diagnostic")
    func syntaxError() throws {
        let (manifest, diagnostics) = loadManifest("version: 1\ngoals:\n  - goal: \"unclosed\n")
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.position == "3:11")
        #expect(diagnostic.sourceLine == "  - goal: \"unclosed")
        #expect(diagnostic.message.hasSuffix("that starts here and is never closed"))
    }

    @Test("a duplicate key is reported alongside the validation errors")
    func duplicateKeyWithOthers() throws {
        let text = "version: 1\ngoals:\n  - goal: a\n    max_depth: 0\n    goal: b\n"
        let (manifest, diagnostics) = loadManifest(text)
        #expect(manifest == nil)
        #expect(diagnostics.map(\.position) == ["4:16", "5:5"])
        #expect(diagnostics.last?.message == "duplicate key 'goal' (first defined at line 3, column 5)")
    }

    /// DESIGN.md: "Every error names the file, line and column, the key path, what was expected".
    /// Duplicate-key diagnostics come from the YAML layer with an empty key path.
    @Test("a duplicate key's diagnostic names its key path")
    func duplicateKeyPath() throws {
        let (_, diagnostics) = loadManifest("version: 1\ngoals:\n  - goal: a\n    goal: b\n")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.position == "4:5")
        #expect(diagnostic.keyPath == "goals[0].goal")
    }
}
