import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system calls the results tree writes with, each failing with a `ResultsTreeError`
/// that names the path and the cause, and each open to injected faults in tests.
struct TreeFileSystem: Sendable {
    var faults: FileSystemFaults?
    /// How a goal folder's files are made durable; nil: the file system's `SyncStrategy.preferred(at:)`.
    var syncStrategy: SyncStrategy?

    private func check(_ call: FileSystemFaults.Call, _ path: String, operation: String) throws {
        switch faults?.decide(call, path) {
        case nil: return
        case .kill: throw FileSystemFaults.Killed()
        case .fail(let code): throw ResultsTreeError(.io, operation: operation, path: path, errorNumber: code)
        }
    }

    /// Creates a folder (and its parents); an existing folder is fine.
    func makeDirectory(_ path: String, code: ResultsTreeError.Code = .io) throws {
        try check(.makeDirectory, path, operation: "create")
        // `mkdir` first: a goal's staging folder, made once per goal, has its parent already.
        if mkdir(path, 0o755) == 0 { return }
        let failure = errno
        switch failure {
        case EEXIST:
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ResultsTreeError(code, operation: "create", path: path, errorNumber: ENOTDIR)
            }
        case ENOENT, ENOTDIR:
            // A missing parent, or a file where one belongs: the parents name the culprit.
            let parent = (path as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != path, parent != "/" else {
                throw ResultsTreeError(code, operation: "create", path: path, errorNumber: failure)
            }
            try makeDirectory(parent, code: code)
            if mkdir(path, 0o755) != 0, errno != EEXIST {
                throw ResultsTreeError(code, operation: "create", path: path, errorNumber: errno)
            }
        default:
            throw ResultsTreeError(code, operation: "create", path: path, errorNumber: failure)
        }
    }

    /// Writes and fsyncs a new file; a partial file is removed when the write fails.
    func writeDurably(_ data: Data, to path: String) throws {
        let file = try writeOpen(data, to: path)
        try sync([file], folder: nil, strategy: .eachFile)
    }

    /// A file written and still open, so that it can be made durable later, with others.
    struct OpenFile {
        var descriptor: Int32
        var path: String
    }

    /// How `sync` makes files durable.
    enum SyncStrategy: Sendable {
        /// One `syncfs(2)` of the file system: every file and the folder at once (Linux).
        case fileSystem
        /// `fsync(2)` of every file, then of the folder.
        case eachFile

        /// `syncfs` on the local file systems whose `syncfs` is known to make every file durable
        /// (ext4, XFS, Btrfs, tmpfs); `fsync` of each file on the others — NFS among them, where
        /// `fsync` is the documented way to commit a file's writes on the server — and with
        /// `ROMA_FSYNC=each-file` (a tree on a disk other programs keep busy with writes:
        /// `syncfs` waits for their data too).
        static func preferred(at path: String) -> SyncStrategy {
            guard !eachFileRequested, TreeFileSystem.syncfsFunction != nil else { return .eachFile }
            guard let type = TreeFileSystem.fileSystemType(path) else { return .eachFile }
            return localFileSystems.contains(type) ? .fileSystem : .eachFile
        }

        private static let eachFileRequested = ProcessInfo.processInfo.environment["ROMA_FSYNC"] == "each-file"
        /// `statfs` magic numbers: ext2/3/4, XFS, Btrfs, tmpfs.
        private static let localFileSystems: Set<Int> = [0xEF53, 0x5846_5342, 0x9123_683E, 0x0102_1994]
    }

    /// Writes a new file without waiting for the disk and returns it open; `sync` makes it
    /// durable and closes it. A partial file is removed when the write fails.
    func writeOpen(_ data: Data, to path: String) throws -> OpenFile {
        try check(.createFile, path, operation: "create")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ResultsTreeError(.io, operation: "create", path: path, errorNumber: errno) }
        do {
            try check(.write, path, operation: "write")
            try data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }  // nothing to write
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, base + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ResultsTreeError(.io, operation: "write", path: path, errorNumber: errno)
                    }
                    offset += n
                }
            }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        return OpenFile(descriptor: fd, path: path)
    }

    /// Makes `files` (written by `writeOpen`) and the entries of `folder` durable, and closes
    /// the files. On failure every file is closed and removed, and the error names the file
    /// (or, for `syncfs`, the folder) and the cause.
    ///
    /// `syncfs` writes back and waits for every dirty file of the file system, then flushes the
    /// disk's cache once: one wait for all the files of a goal folder instead of one per file.
    /// It reports a write-back error of any file of the file system since the first file was
    /// opened (Linux ≥ 5.8), so a failure is never missed; it may blame our folder for another
    /// program's failed write, which stops the run — the safe side.
    func sync(_ files: [OpenFile], folder: String?, strategy: SyncStrategy) throws {
        var failure: (any Error)?
        do {
            try check(.sync, folder ?? files.first?.path ?? "", operation: "write")
            if strategy == .fileSystem, let syncfs = Self.syncfsFunction, let first = files.first {
                if syncfs(first.descriptor) != 0 {
                    throw ResultsTreeError(.io, operation: "write", path: folder ?? first.path, errorNumber: errno)
                }
            } else {
                for file in files where fsync(file.descriptor) != 0 {
                    throw ResultsTreeError(.io, operation: "write", path: file.path, errorNumber: errno)
                }
                if let folder { try syncDirectory(folder) }
            }
        } catch {
            failure = error
        }
        for file in files {
            if close(file.descriptor) != 0, failure == nil {
                failure = ResultsTreeError(.io, operation: "write", path: file.path, errorNumber: errno)
            }
        }
        guard let failure else { return }
        if !(failure is FileSystemFaults.Killed) {
            for file in files { unlink(file.path) }
        }
        throw failure
    }

    /// Renames `from` to `to`, replacing a file at `to`. With `noReplace`, an existing `to` is
    /// an `EEXIST` error instead (Linux `RENAME_NOREPLACE`; elsewhere checked before).
    func rename(_ from: String, _ to: String, noReplace: Bool = false) throws {
        try check(.rename, to, operation: "rename into")
        if noReplace {
            if Self.renameat2(from, to, flags: 1) == 0 { return }  // RENAME_NOREPLACE
            if errno == EEXIST { throw ResultsTreeError(.io, operation: "rename into", path: to, errorNumber: EEXIST) }
            if errno != EINVAL && errno != ENOSYS { throw ResultsTreeError(.io, operation: "rename into", path: to, errorNumber: errno) }
            if access(to, F_OK) == 0 { throw ResultsTreeError(.io, operation: "rename into", path: to, errorNumber: EEXIST) }
        }
        if Foundation.rename(from, to) != 0 { throw ResultsTreeError(.io, operation: "rename into", path: to, errorNumber: errno) }
    }

    /// Swaps two folders in one step (Linux `renameat2(RENAME_EXCHANGE)`). False when the file
    /// system cannot (the caller then swaps with the journalled two-rename fallback).
    func exchange(_ a: String, _ b: String) throws -> Bool {
        switch faults?.decide(.exchange, b) {
        case .kill: throw FileSystemFaults.Killed()
        case .fail(let code) where code == EINVAL || code == ENOSYS: return false
        case .fail(let code): throw ResultsTreeError(.io, operation: "swap in", path: b, errorNumber: code)
        case nil: break
        }
        if Self.renameat2(a, b, flags: 2) == 0 { return true }  // RENAME_EXCHANGE
        if errno == EINVAL || errno == ENOSYS || errno == ENOTSUP { return false }
        throw ResultsTreeError(.io, operation: "swap in", path: b, errorNumber: errno)
    }

    /// Removes a file or a folder with everything in it; a missing one is fine.
    func removeTree(_ path: String) throws {
        try check(.remove, path, operation: "remove")
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                try removeTree(path + "/" + name)
            }
            if rmdir(path) != 0, errno != ENOENT { throw ResultsTreeError(.io, operation: "remove", path: path, errorNumber: errno) }
        } else if unlink(path) != 0, errno != ENOENT {
            throw ResultsTreeError(.io, operation: "remove", path: path, errorNumber: errno)
        }
    }

    /// Flushes a folder's entries (renames into it) to disk. A failure is an error (`cannot
    /// sync PATH: cause`), but for `EINVAL`: a file system that cannot sync a folder.
    ///
    /// It used to be ignored, and a rename the disk had refused was reported as done.
    func syncDirectory(_ path: String) throws {
        try check(.syncFolder, path, operation: "sync")
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard fd >= 0 else { throw ResultsTreeError(.io, operation: "sync", path: path, errorNumber: errno) }
        defer { close(fd) }
        if fsync(fd) != 0, errno != EINVAL { throw ResultsTreeError(.io, operation: "sync", path: path, errorNumber: errno) }
    }

    /// The inode number of a path, nil if it does not exist.
    func inode(_ path: String) -> UInt64? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    /// A C library function looked up at run time: Swift's Glibc module declares neither
    /// `renameat2` nor `syncfs`. Nil on systems without it (the callers fall back).
    private static func libcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if os(Linux)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
            return unsafeBitCast(symbol, to: type)
        #else
            return nil
        #endif
    }

    private typealias SyncFS = @convention(c) (Int32) -> Int32
    private static let syncfsFunction = libcFunction("syncfs", as: SyncFS.self)

    private typealias StatFS = @convention(c) (UnsafePointer<CChar>, UnsafeMutableRawPointer) -> Int32
    private static let statfsFunction = libcFunction("statfs", as: StatFS.self)

    /// The `statfs` magic number of the file system holding `path` (Linux), nil if unknown.
    /// Read from the first member of `struct statfs` (`f_type`, a `long`); the struct is not
    /// declared to Swift. A wrong reading matches no known magic, so it only costs speed.
    private static func fileSystemType(_ path: String) -> Int? {
        guard let statfs = statfsFunction else { return nil }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        guard statfs(path, buffer) == 0 else { return nil }
        return buffer.load(as: Int.self)
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private static let renameat2Function = libcFunction("renameat2", as: RenameAt2.self)

    private static func renameat2(_ from: String, _ to: String, flags: UInt32) -> Int32 {
        guard let function = renameat2Function else {
            errno = ENOSYS
            return -1
        }
        #if os(Linux)
            return function(AT_FDCWD, from, AT_FDCWD, to, flags)
        #else
            return function(-2, from, -2, to, flags)
        #endif
    }
}
