import Foundation
import ROMAYAML

/// Reads manifests from files or folders, validating everything and reporting every problem.
public struct ManifestLoader: Sendable {
    /// The outcome of loading one or more manifests.
    public struct Outcome: Sendable {
        /// The manifests that had no errors.
        public var manifests: [Manifest]
        /// Every problem of every file, in file order then source order.
        public var diagnostics: [Diagnostic]
        /// The files that were read (after expanding folders).
        public var files: [String]

        /// Whether any diagnostic is an error.
        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    }

    /// The environment for `${VAR}` interpolation.
    public var environment: [String: String]
    /// YAML safety limits.
    public var limits: YAMLParser.Limits

    /// Creates a loader.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, limits: YAMLParser.Limits = .init()
    ) {
        self.environment = environment
        self.limits = limits
    }

    /// The manifest files a list of paths stands for: files as given, folders as their `*.yaml` / `*.yml`.
    public static func expand(paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                diagnostics.append(
                    Diagnostic(file: path, line: 0, column: 0, keyPath: "", message: "no such file or directory"))
                continue
            }
            if isDirectory.boolValue {
                let entries = (try? fm.contentsOfDirectory(atPath: path)) ?? []
                let manifests = entries.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                if manifests.isEmpty {
                    diagnostics.append(
                        Diagnostic(
                            file: path, line: 0, column: 0, keyPath: "",
                            message: "folder holds no manifest (*.yaml or *.yml)"))
                }
                files += manifests.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return (files, diagnostics)
    }

    /// Loads every manifest named by `paths` (files or folders).
    public func load(paths: [String]) -> Outcome {
        let (files, expandDiagnostics) = Self.expand(paths: paths)
        var outcome = Outcome(manifests: [], diagnostics: expandDiagnostics, files: files)
        var names: [String: String] = [:]
        for file in files {
            let (manifest, diagnostics) = load(file: file)
            outcome.diagnostics += diagnostics
            guard let manifest else { continue }
            if let other = names[manifest.name] {
                outcome.diagnostics.append(
                    Diagnostic(
                        file: file, line: 1, column: 1, keyPath: "name",
                        message: "manifest name '\(manifest.name)' is also used by \(other); both would write results/\(manifest.name)",
                        expected: "a name unique across the manifests of one run"))
                continue
            }
            names[manifest.name] = file
            outcome.manifests.append(manifest)
        }
        return outcome
    }

    /// Loads one manifest file; with `goalsRequired` false, a file of settings only (`roma serve
    /// --config`: `tools:`, `defaults:`, `engine:`, `profiles:`) is valid too.
    public func load(file: String, goalsRequired: Bool = true) -> (Manifest?, [Diagnostic]) {
        let fileError = { (message: String) in
            (Manifest?.none, [Diagnostic(file: file, line: 0, column: 0, keyPath: "", message: message)])
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file) else {
            return fileError("cannot read the file")
        }
        if let size = attributes[.size] as? NSNumber, size.intValue > limits.maxBytes {
            return fileError("file is \(size.intValue) bytes, larger than the limit of \(limits.maxBytes) bytes")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            return fileError("cannot read the file")
        }
        return load(bytes: Array(data), file: file, goalsRequired: goalsRequired)
    }

    /// Loads a manifest from bytes; `file` names it in diagnostics and gives the default name.
    public func load(bytes: [UInt8], file: String, goalsRequired: Bool = true) -> (Manifest?, [Diagnostic]) {
        guard bytes.count <= limits.maxBytes else {
            // Checked before decoding, so a huge input costs nothing.
            return (
                nil,
                [
                    Diagnostic(
                        file: file, line: 0, column: 0, keyPath: "",
                        message: "file is \(bytes.count) bytes, larger than the limit of \(limits.maxBytes) bytes")
                ]
            )
        }
        // Source lines are looked up only for the diagnostics there are, so a valid manifest
        // never decodes or splits its text a second time.
        var lines = SourceLines(bytes: bytes)
        func place(_ issue: ValidationIssue) -> Diagnostic {
            issue.diagnostic(file: file, excerpt: lines.excerpt(line: issue.mark.line, column: issue.mark.column))
        }

        let root: YAMLNode
        var issues: [ValidationIssue] = []
        do {
            let parsed = try YAMLParser(limits: limits).parseDocument(bytes)
            root = parsed.node
            issues += parsed.errors.map { ValidationIssue(yaml: $0) }
        } catch {
            return (nil, [place(ValidationIssue(yaml: error))])
        }

        var reader = ManifestReader(environment: environment, file: file)
        reader.goalsRequired = goalsRequired
        let manifest = reader.read(root)
        issues += reader.nodes.issues
        issues.sort { $0.mark < $1.mark }
        return (issues.isEmpty ? manifest : nil, issues.map { place($0) })
    }
}

extension ValidationIssue {
    /// An issue for a YAML-level error.
    init(yaml error: YAMLError) {
        let kind: Kind = error.code == .duplicateKey ? .duplicate : .syntax
        self.init(mark: error.mark, path: error.keyPath, message: error.message, kind: kind)
    }
}
