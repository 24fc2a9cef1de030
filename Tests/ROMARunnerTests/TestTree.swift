import Foundation
import ROMACore
import ROMAEngine

@testable import ROMARunner

/// A temporary results root, removed when the test ends.
final class TemporaryFolder: @unchecked Sendable {
    let url: URL

    init() throws {
        url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("roma-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func manifest(_ name: String) throws -> Manifest {
        let path = packageRoot.appendingPathComponent("examples/\(name)").path
        let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(file: path)
        guard let manifest, diagnostics.isEmpty else { throw FixtureError(message: "\(name): \(diagnostics.map(\.headline))") }
        return manifest
    }

    static func manifest(yaml: String, file: String = "inline.yaml") throws -> Manifest {
        let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: file)
        guard let manifest, diagnostics.isEmpty else { throw FixtureError(message: "\(diagnostics.map(\.headline))") }
        return manifest
    }

    static func options(_ out: URL, recording: RecordingMode = .record, force: Bool = false) -> RunOptions {
        RunOptions(
            out: out, concurrency: 3, recording: recording, provider: ProviderSettings(name: "offline"), force: force, environment: [:])
    }

    /// Every regular file under a folder (relative path → bytes, mtime), hidden entries excluded.
    static func snapshot(_ root: URL) -> [String: (Data, Date)] {
        var result: [String: (Data, Date)] = [:]
        let fm = FileManager.default
        guard
            let walker = fm.enumerator(
                at: root, includingPropertiesForKeys: [.contentModificationDateKey, .isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [:] }
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.contentModificationDateKey, .isRegularFileKey])
            guard values?.isRegularFile == true, let data = fm.contents(atPath: url.path) else { continue }
            let relative = String(url.path.dropFirst(root.path.count + 1))
            result[relative] = (data, values?.contentModificationDate ?? .distantPast)
        }
        return result
    }

    /// The roma executable built beside the test bundle.
    static var romaBinary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("roma")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension RunOptions {
    init(out: URL, concurrency: Int, recording: RecordingMode, provider: ProviderSettings, force: Bool, environment: [String: String]) {
        self.init(out: out, concurrency: concurrency, force: force, recording: recording, provider: provider, environment: environment)
    }
}
