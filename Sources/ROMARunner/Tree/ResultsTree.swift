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
/// beside the tree and swapped in whole, so a crash never leaves a partial file or folder, and
/// no kill between any two calls loses a finished goal (see `writeGoal`).
///
/// Temporary entries carry the name of the run that made them (`owner`: `run` for a whole run,
/// `s2of8` for shard 2/8), so that a run cleans up only what an earlier, dead run of the same
/// kind left: shards running side by side never touch each other's work in progress.
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
        /// The files every goal folder has; a local run's folders also have `calls.jsonl`.
        public static let required = [request, result, execution, dag, mermaid]
    }

    /// `root`'s path, kept as text: file reads build paths from it without `URL` work.
    private let rootPath: String

    /// Whose temporary entries this tree writes: `run` (a whole run) or `s<I>of<N>` (a shard).
    public var owner: String
    /// Applied to every byte written.
    public var redactor: Redactor
    /// The system calls (fault injection in tests).
    var fileSystem: TreeFileSystem

    /// Creates the tree for a manifest under `out`.
    public init(out: URL, manifestName: String, shard: Shard? = nil, redactor: Redactor = .none, faults: FileSystemFaults? = nil) {
        self.init(
            root: out.appendingPathComponent(manifestName, isDirectory: true), shard: shard, redactor: redactor, faults: faults)
    }

    /// Creates the tree at a folder.
    public init(root: URL, shard: Shard? = nil, redactor: Redactor = .none, faults: FileSystemFaults? = nil) {
        self.root = root
        self.rootPath = root.path
        self.owner = Self.owner(shard: shard)
        self.redactor = redactor
        self.fileSystem = TreeFileSystem(faults: faults)
    }

    /// The owner name of a run's temporary entries.
    static func owner(shard: Shard?) -> String {
        shard.map { "s\($0.index)of\($0.count)" } ?? "run"
    }

    /// The path of a goal's file.
    private func path(_ id: String, _ file: String) -> String { "\(rootPath)/\(id)/\(file)" }

    /// A goal's folder.
    public func goalFolder(_ id: String) -> URL { root.appendingPathComponent(id, isDirectory: true) }

    /// Creates the folder (and its parents). Throws `ResultsTreeError` with code
    /// `cannotCreate` when it cannot be (a file in the way, no permission, read-only).
    public func create() throws {
        try fileSystem.makeDirectory(rootPath, code: .cannotCreate)
    }

    /// `.gitignore` of the tree: the run-time entries a results tree kept in git must not show
    /// (lock files stay after a run: deleting a locked file would let two runs lock two files).
    static let gitignore = """
        # Written by roma: the run-time entries of this results tree (locks, work in progress).
        /.lock
        /.lock-shard-*
        /.tmp-*
        /.ready-*
        /.old-*
        /.summary-rows.json

        """

    /// Writes the tree's `.gitignore` (untouched when current). Call under the lock.
    public func writeGitignore() throws {
        try writeFile(".gitignore", Data(Self.gitignore.utf8))
    }

    /// Which files of a goal folder are missing (empty: complete). A folder that does not
    /// exist is missing everything. `calls.jsonl` counts when `withCalls` (local runs).
    public func missingFiles(_ id: String, withCalls: Bool) -> [String] {
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: "\(rootPath)/\(id)")) ?? [])
        return (withCalls ? File.all : File.required).filter { !names.contains($0) }
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

    /// Replaces a goal's folder with `files` in one step.
    ///
    /// Returns false, touching nothing, when the folder already holds exactly these files
    /// (a replay of a committed tree rewrites no byte and no mtime).
    ///
    /// `known` holds files of the folder the caller has already read (under the tree's lock,
    /// so still current); they are compared without being read again.
    ///
    /// The steps, and what a kill between any two of them leaves (`recover` finishes the job):
    /// 1. the files are written into `.tmp-<owner>-<token>-<id>` and made durable, with the
    ///    folder's entries, before anything else (one `syncfs` on Linux; `fsync` of each file
    ///    and the folder elsewhere) — incomplete, removed by recovery;
    /// 2. a new goal (no folder in place) is renamed in with `RENAME_NOREPLACE` at once, and the
    ///    steps end with 5; a kill before that rename leaves the `.tmp-` folder, and the goal runs
    ///    again (the goal's folder is there, complete, or not there at all). Otherwise, or when
    ///    another writer puts the goal in place meanwhile, it is renamed
    ///    `.ready-<owner>-<token>-<inode>-<id>`: complete, and named with its inode number, so
    ///    recovery can tell it from the folder it replaces;
    /// 3. on Linux it is exchanged with the goal's folder in one `renameat2(RENAME_EXCHANGE)`
    ///    (no folder in place, as in recovery: renamed in with `RENAME_NOREPLACE`) — after it,
    ///    the `.ready-` name holds the old folder, and recovery removes it because the goal's
    ///    folder has the inode the name records; before it, recovery does the exchange;
    /// 4. where the file system cannot exchange, the old folder is renamed `.old-<owner>-
    ///    <token>-<id>` first and the new one renamed in: recovery puts whichever complete copy
    ///    is missing back in place and never deletes the only one;
    /// 5. the old copy is removed and the tree's folder fsynced.
    @discardableResult
    public func writeGoal(_ id: String, files: [String: Data], known: [String: Data] = [:]) throws -> Bool {
        let files = redactor.secrets.isEmpty ? files : files.mapValues { redactor.redact($0) }
        let target = "\(rootPath)/\(id)"
        // A new goal has no folder to compare: one `lstat`, not a directory listing that fails
        // (Foundation builds an error for it: 1.3 % of the runner's samples in a 2,000-goal profile).
        let replacing = fileSystem.inode(target) != nil
        if replacing, holds(id, exactly: files, known: known) { return false }
        let token = Self.token()
        let staging = "\(rootPath)/.tmp-\(owner)-\(token)-\(id)"
        do {
            try fileSystem.makeDirectory(staging)
            // Every file is written first and made durable at once, before the folder is renamed.
            var written: [TreeFileSystem.OpenFile] = []
            do {
                for (name, data) in files.sorted(by: { $0.key < $1.key }) {
                    written.append(try fileSystem.writeOpen(data, to: staging + "/" + name))
                }
            } catch {
                for file in written { close(file.descriptor) }
                throw error
            }
            try fileSystem.sync(written, folder: staging, strategy: fileSystem.syncStrategy ?? .preferred(at: staging))
        } catch let error as ResultsTreeError {
            try? fileSystem.removeTree(staging)
            throw error
        }
        // A new goal goes straight in: the `.ready-` step is only for replacing a folder.
        if !replacing || fileSystem.inode(target) == nil {
            do {
                try fileSystem.rename(staging, target, noReplace: true)
                try fileSystem.syncDirectory(rootPath)
                return true
            } catch let error as ResultsTreeError where error.errorNumber == EEXIST {
                // Another writer put the goal in place meanwhile: replace it below.
            } catch let error as ResultsTreeError {
                try? fileSystem.removeTree(staging)
                throw error
            }
        }
        guard let inode = fileSystem.inode(staging) else {
            throw ResultsTreeError(.io, operation: "write", path: staging, errorNumber: ENOENT)
        }
        let ready = "\(rootPath)/.ready-\(owner)-\(token)-\(inode)-\(id)"
        do {
            try fileSystem.rename(staging, ready)
        } catch let error as ResultsTreeError {
            try? fileSystem.removeTree(staging)
            throw error
        }
        try install(ready: ready, id: id, token: token)
        try fileSystem.syncDirectory(rootPath)
        return true
    }

    /// Puts a complete `.ready-` folder in the goal's place and removes what it replaced.
    private func install(ready: String, id: String, token: String) throws {
        let target = "\(rootPath)/\(id)"
        if fileSystem.inode(target) == nil {
            do {
                try fileSystem.rename(ready, target, noReplace: true)
                return
            } catch let error as ResultsTreeError where error.errorNumber == EEXIST {
                // Another writer put the goal in place meanwhile: replace it below.
            }
        }
        if try fileSystem.exchange(ready, target) {
            try fileSystem.removeTree(ready)  // now the old folder
            return
        }
        // No exchange on this file system: move the old folder aside, then the new one in.
        let old = "\(rootPath)/.old-\(owner)-\(token)-\(id)"
        try fileSystem.rename(target, old)
        try fileSystem.rename(ready, target)
        try fileSystem.removeTree(old)
    }

    /// A short random token for temporary names.
    private static func token() -> String {
        String(UInt32.random(in: .min ... .max), radix: 16).leftPadded(to: 8)
    }

    /// A temporary entry of the tree, parsed from its name.
    struct Leftover: Sendable, Hashable {
        enum Kind: String, Sendable { case tmp, ready, old, trash }
        var kind: Kind
        var name: String
        /// Nil for entries of earlier versions of roma (`.tmp-<id>-<token>`, `.trash-…`).
        var owner: String?
        var token: String
        var inode: UInt64?
        var id: String

        init?(name: String) {
            guard name.hasPrefix("."), let dash = name.firstIndex(of: "-"),
                let kind = Kind(rawValue: String(name[name.index(after: name.startIndex)..<dash]))
            else { return nil }
            self.kind = kind
            self.name = name
            let parts = name[name.index(after: dash)...].split(separator: "-", maxSplits: kind == .ready ? 3 : 2)
                .map(String.init)
            let ownerLooksRight = parts.first.map { $0 == "run" || $0.wholeMatch(of: /s[0-9]+of[0-9]+/) != nil } ?? false
            if kind != .trash, ownerLooksRight, parts.count == (kind == .ready ? 4 : 3), parts[1].count == 8 {
                owner = parts[0]
                token = parts[1]
                if kind == .ready {
                    guard let value = UInt64(parts[2]) else { return nil }
                    inode = value
                    id = parts[3]
                } else {
                    id = parts[2]
                }
            } else {
                // Earlier versions: `.tmp-<id>-<token>` and `.trash-<id>-<token>`.
                guard kind == .tmp || kind == .trash else { return nil }
                owner = nil
                let body = String(name[name.index(after: dash)...])
                guard let last = body.lastIndex(of: "-") else { return nil }
                id = String(body[..<last])
                token = String(body[body.index(after: last)...])
            }
        }
    }

    /// Finishes or rolls back what dead runs left: every interrupted goal swap ends with one
    /// complete folder in place, and incomplete temporary entries are removed.
    ///
    /// Call it only while holding the tree's lock. A whole run (`owner == "run"`, holding the
    /// lock exclusively) recovers every entry; a shard recovers only its own, since the other
    /// shards may be alive. Returns the goal ids whose folder was put back or rolled forward.
    @discardableResult
    public func recover() throws -> [String] {
        let exclusive = owner == "run"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: rootPath)) ?? []
        let leftovers = names.compactMap(Leftover.init(name:)).filter { exclusive || $0.owner == owner }
        var restored: [String] = []
        // Complete new folders first: a `.ready-` is the newest complete copy of its goal.
        for entry in leftovers where entry.kind == .ready {
            let path = "\(rootPath)/\(entry.name)"
            let target = "\(rootPath)/\(entry.id)"
            if let current = fileSystem.inode(target), current == entry.inode {
                try fileSystem.removeTree(path)  // the exchange happened: this is the old folder
                continue
            }
            try install(ready: path, id: entry.id, token: entry.token)
            restored.append(entry.id)
        }
        // Old folders moved aside by the fallback swap: back in place if the goal has none.
        for entry in leftovers where entry.kind == .old || entry.kind == .trash {
            let path = "\(rootPath)/\(entry.name)"
            if fileSystem.inode("\(rootPath)/\(entry.id)") == nil {
                try fileSystem.rename(path, "\(rootPath)/\(entry.id)", noReplace: true)
                restored.append(entry.id)
            } else {
                try fileSystem.removeTree(path)
            }
        }
        for entry in leftovers where entry.kind == .tmp {
            try fileSystem.removeTree("\(rootPath)/\(entry.name)")
        }
        // Temporary submission records (remote mode).
        let remote = submissionsFolder.path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: remote)) ?? [] {
            guard let entry = Leftover(name: name), entry.kind == .tmp else { continue }
            if entry.owner == owner || exclusive { try fileSystem.removeTree(remote + "/" + name) }
        }
        if !leftovers.isEmpty { try fileSystem.syncDirectory(rootPath) }
        return restored
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
        let data = redactor.secrets.isEmpty ? data : redactor.redact(data)
        let path = "\(rootPath)/\(name)"
        if Self.contents(atPath: path, expectedSize: data.count) == data { return false }
        try writeAtomically(data, to: path, temporary: "\(rootPath)/.tmp-\(owner)-\(Self.token())-\(name)")
        try fileSystem.syncDirectory(rootPath)
        return true
    }

    /// Writes `data` to `temporary`, fsyncs it and renames it to `path`; on failure the
    /// temporary file is removed and the error (path and cause) thrown.
    func writeAtomically(_ data: Data, to path: String, temporary: String) throws {
        try fileSystem.writeDurably(data, to: temporary)
        do {
            try fileSystem.rename(temporary, path)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}

extension String {
    /// The string with zeros in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
