import Foundation
import ROMACore

#if canImport(Glibc)
    import Glibc
    private let systemRead = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let systemRead = Darwin.read
#endif

/// The results folder of one manifest: `<out>/<manifest name>/`, one folder per goal.
///
/// Every file is written to a temporary name and renamed into place; a goal's folder is built
/// beside the tree and swapped in whole, so a crash never leaves a partial file or folder.
public struct ResultsTree: Sendable {
    /// The manifest's results folder.
    public let root: URL

    /// The names of the files of a goal folder.
    public enum File {
        public static let request = "request.json"
        public static let result = "result.md"
        public static let execution = "execution.json"
        public static let dag = "dag.json"
        public static let mermaid = "dag.mmd"
        public static let calls = "calls.jsonl"
        public static let remote = "remote.json"
        public static let all = [request, result, execution, dag, mermaid, calls]
    }

    /// `root`'s path, kept as text: file reads build paths from it without `URL` work.
    private let rootPath: String

    /// Creates the tree for a manifest under `out`.
    public init(out: URL, manifestName: String) {
        self.init(root: out.appendingPathComponent(manifestName, isDirectory: true))
    }

    /// Creates the tree at a folder.
    public init(root: URL) {
        self.root = root
        self.rootPath = root.path
    }

    /// The path of a goal's file.
    private func path(_ id: String, _ file: String) -> String { "\(rootPath)/\(id)/\(file)" }

    /// A goal's folder.
    public func goalFolder(_ id: String) -> URL { root.appendingPathComponent(id, isDirectory: true) }

    /// Creates the folder and removes leftovers of interrupted writes (temporary files and folders).
    public func prepare() throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        where name.hasPrefix(".tmp-") || name.hasPrefix(".trash-") {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
    }

    /// Reads a goal's file, if the goal folder and file exist.
    public func read(_ id: String, _ file: String) -> Data? {
        Self.contents(atPath: path(id, file))
    }

    /// A file's bytes, nil if it cannot be read: one `fstat` and as few `read`s as the size
    /// allows (`FileManager.contents(atPath:)` cost a replay more than the JSON it held).
    /// With `expectedSize`, a file of another size is not read at all and gives nil.
    static func contents(atPath path: String, expectedSize: Int? = nil) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(info.st_size)
        if let expectedSize, expectedSize != size { return nil }
        var data = Data(count: size + 1)  // one spare byte notices a file that grew
        var filled = 0
        while true {
            if filled == data.count { data.count += max(4096, data.count) }
            let count = data.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return systemRead(fd, base + filled, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            filled += count
        }
        if let expectedSize, filled != expectedSize { return nil }
        data.count = filled
        return data
    }

    /// Replaces a goal's folder with `files` in one step (build beside, fsync, rename).
    ///
    /// Returns false, touching nothing, when the folder already holds exactly these files
    /// (a replay of a committed tree rewrites no byte and no mtime).
    ///
    /// `known` holds files of the folder the caller has already read (under the tree's lock,
    /// so still current); they are compared without being read again.
    @discardableResult
    public func writeGoal(_ id: String, files: [String: Data], known: [String: Data] = [:]) throws -> Bool {
        let fm = FileManager.default
        if holds(id, exactly: files, known: known) { return false }
        let token = UUID().uuidString.prefix(8)
        let staging = root.appendingPathComponent(".tmp-\(id)-\(token)", isDirectory: true)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            for (name, data) in files.sorted(by: { $0.key < $1.key }) {
                try Self.writeDurably(data, to: staging.appendingPathComponent(name))
            }
            Self.syncDirectory(staging)
            let target = goalFolder(id)
            if fm.fileExists(atPath: target.path) {
                // rename(2) cannot replace a non-empty folder: move the old one aside first.
                // A crash between the two renames leaves the goal absent, never half-written.
                let trash = root.appendingPathComponent(".trash-\(id)-\(token)", isDirectory: true)
                try fm.moveItem(at: target, to: trash)
                try fm.moveItem(at: staging, to: target)
                try? fm.removeItem(at: trash)
            } else {
                try fm.moveItem(at: staging, to: target)
            }
            Self.syncDirectory(root)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
        return true
    }

    /// Whether a goal's folder holds exactly `files`, byte for byte, and nothing else.
    func holds(_ id: String, exactly files: [String: Data], known: [String: Data] = [:]) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "\(rootPath)/\(id)"), Set(names) == Set(files.keys) else {
            return false
        }
        return files.allSatisfy { name, data in
            (known[name] ?? Self.contents(atPath: path(id, name), expectedSize: data.count)) == data
        }
    }

    /// Writes a file of the tree atomically; leaves it untouched (same mtime) when the bytes are equal.
    @discardableResult
    public func writeFile(_ name: String, _ data: Data) throws -> Bool {
        let url = root.appendingPathComponent(name)
        if Self.contents(atPath: url.path, expectedSize: data.count) == data { return false }
        let temp = root.appendingPathComponent(".tmp-\(name)-\(UUID().uuidString.prefix(8))")
        try Self.writeDurably(data, to: temp)
        guard rename(temp.path, url.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temp)
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [NSLocalizedDescriptionKey: "cannot rename into \(url.path): \(String(cString: strerror(code)))"])
        }
        Self.syncDirectory(root)
        return true
    }

    /// Writes and fsyncs a new file.
    static func writeDurably(_ data: Data, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw CocoaError(
                .fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot create \(url.path): \(String(cString: strerror(errno)))"])
        }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }  // nothing to write
            var offset = 0
            while offset < raw.count {
                let n = write(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CocoaError(
                        .fileWriteUnknown,
                        userInfo: [NSLocalizedDescriptionKey: "cannot write \(url.path): \(String(cString: strerror(errno)))"])
                }
                offset += n
            }
        }
        fsync(fd)
    }

    static func syncDirectory(_ url: URL) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
