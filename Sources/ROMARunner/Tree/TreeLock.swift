import Foundation
import ROMACore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The lock that stops two runs from writing the same results folder at once.
///
/// It is a `flock(2)` lock, held on an open file and dropped by the kernel when the holder's
/// process ends however it ends (SIGKILL, power loss): there is no stale lock to detect or
/// take over, and no window in which two runs both think they took it. Lock files are never
/// deleted (deleting a locked file lets a third run lock a new file of the same name), and a
/// run only ever releases the lock it holds, by closing its own descriptor.
///
/// - A whole run takes `.lock` exclusively.
/// - A shard `I/N` takes `.lock` shared and `.lock-shard-I-of-N` exclusively: shards of one
///   batch run side by side, a whole run excludes them all and they exclude it, and the same
///   shard cannot run twice.
///
/// On NFS, Linux implements `flock` as a whole-file lock on the server (NLM for NFSv3, the
/// protocol's own locks for NFSv4), so the lock holds across machines; a dead client's locks
/// are dropped when its lease lapses (NFSv4: 90 s by default), and only then can another run
/// start. Mounts with `local_lock=flock` or `nolock` keep locks on one machine: do not share a
/// tree between machines on such a mount.
public final class TreeLock: Sendable {
    /// Who holds a lock: written into the lock file for the message another run prints.
    public struct Holder: Sendable, Codable, Hashable, CustomStringConvertible {
        public var pid: Int32
        public var host: String
        public var startedAt: String
        public var command: String

        enum CodingKeys: String, CodingKey {
            case pid, host, command
            case startedAt = "started_at"
        }

        public var description: String { "pid \(pid) on \(host), started \(startedAt) (\(command))" }
    }

    /// The lock is held by another live run.
    public struct Locked: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var holders: [Holder]
        public var description: String {
            let who = holders.isEmpty ? "another run" : holders.map(\.description).joined(separator: "; ")
            return "\(path) is in use by another run: \(who); wait for it to finish"
        }
    }

    /// The open lock files; closing them releases the lock.
    private let descriptors: [Int32]

    private init(descriptors: [Int32]) {
        self.descriptors = descriptors
    }

    deinit {
        release()
    }

    /// The lock file names of a shard (nil: a whole run).
    static func fileName(shard: Shard?) -> String {
        shard.map { ".lock-shard-\($0.index)-of-\($0.count)" } ?? ".lock"
    }

    /// Takes the lock of the tree at `root` for a whole run (`shard` nil) or one shard.
    ///
    /// Throws `Locked` when another run holds it, `ResultsTreeError` (cannot create) when the
    /// lock file cannot be opened.
    public static func acquire(root: URL, shard: Shard?, command: String) throws -> TreeLock {
        let me = Holder(
            pid: getpid(), host: ProcessInfo.processInfo.hostName, startedAt: Timestamp.string(Date()), command: command)
        let treePath = root.path
        let main = try openLockFile(treePath + "/.lock")
        guard flock(main, (shard == nil ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            let code = errno
            close(main)
            if code == EWOULDBLOCK { throw Locked(path: treePath, holders: holders(in: treePath)) }
            throw ResultsTreeError(.cannotCreate, operation: "lock", path: treePath + "/.lock", errorNumber: code)
        }
        var descriptors = [main]
        var mine = main
        if let shard {
            let shardFile = try openLockFile(treePath + "/" + fileName(shard: shard))
            guard flock(shardFile, LOCK_EX | LOCK_NB) == 0 else {
                let code = errno
                close(shardFile)
                close(main)
                if code == EWOULDBLOCK { throw Locked(path: treePath + " (shard \(shard))", holders: holders(in: treePath)) }
                throw ResultsTreeError(
                    .cannotCreate, operation: "lock", path: treePath + "/" + fileName(shard: shard), errorNumber: code)
            }
            descriptors.append(shardFile)
            mine = shardFile
        }
        // Only the file this run holds exclusively is written: it names the holder.
        if let data = try? CanonicalJSON.encode(me) {
            ftruncate(mine, 0)
            _ = data.withUnsafeBytes { pwrite(mine, $0.baseAddress, $0.count, 0) }
        }
        return TreeLock(descriptors: descriptors)
    }

    private static func openLockFile(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ResultsTreeError(.cannotCreate, operation: "create", path: path, errorNumber: errno) }
        return fd
    }

    /// The holders named in a tree's lock files (for the message; the lock itself is the
    /// kernel's). A released lock file is empty.
    static func holders(in treePath: String) -> [Holder] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: treePath)) ?? []
        return names.filter { $0 == ".lock" || $0.hasPrefix(".lock-shard-") }.sorted().compactMap { name in
            FileManager.default.contents(atPath: treePath + "/" + name).flatMap { try? CanonicalJSON.decode(Holder.self, from: $0) }
        }
    }

    /// Releases the lock: empties the file this run wrote its name into, then closes the
    /// descriptors (the kernel drops the lock). Idempotent.
    public func release() {
        releaseLock.lock()
        defer { releaseLock.unlock() }
        guard !released else { return }
        released = true
        if let mine = descriptors.last { ftruncate(mine, 0) }
        for fd in descriptors.reversed() { close(fd) }
    }

    private let releaseLock = NSLock()
    /// Guarded by `releaseLock`.
    nonisolated(unsafe) private var released = false
}
