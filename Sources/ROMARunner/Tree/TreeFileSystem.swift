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
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ResultsTreeError(code, operation: "create", path: path, errorNumber: ENOTDIR) }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, parent != "/" { try makeDirectory(parent, code: code) }
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            throw ResultsTreeError(code, operation: "create", path: path, errorNumber: errno)
        }
    }

    /// Writes and fsyncs a new file; a partial file is removed when the write fails.
    func writeDurably(_ data: Data, to path: String) throws {
        try check(.createFile, path, operation: "create")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ResultsTreeError(.io, operation: "create", path: path, errorNumber: errno) }
        var failure: ResultsTreeError?
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
            if fsync(fd) != 0 { failure = ResultsTreeError(.io, operation: "write", path: path, errorNumber: errno) }
        } catch let error as ResultsTreeError {
            failure = error
        }
        if close(fd) != 0, failure == nil { failure = ResultsTreeError(.io, operation: "write", path: path, errorNumber: errno) }
        if let failure {
            unlink(path)
            throw failure
        }
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

    /// Flushes a folder's entries (renames into it) to disk.
    func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// The inode number of a path, nil if it does not exist.
    func inode(_ path: String) -> UInt64? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's `renameat2`, looked up at run time: Swift's Glibc module does not declare it.
    /// Nil on systems without it (the callers fall back).
    private static let renameat2Function: RenameAt2? = {
        #if os(Linux)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
            return unsafeBitCast(symbol, to: RenameAt2.self)
        #else
            return nil
        #endif
    }()

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
