import Foundation
import ROMACore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `.summary-rows.json`: the summary rows the shards of a batch have reported, so that the
/// shard that finishes last writes a `summary.json` that lists every goal.
///
/// Why it holds, however the shards' ends interleave: each shard, once its goals are written,
/// takes this file's lock (exclusive, waiting for it), merges its own goals' rows into the file,
/// writes `summary.json` and `index.md` from the merged rows, writes the rows back, and lets go.
/// The shard that takes the lock last has every other shard's rows in the file (each put its
/// rows there before letting go), so its summary is complete. Nothing depends on when another
/// machine's directory listing shows a new folder: the rows travel in the file itself, read and
/// written under the lock, and NFS guarantees coherent data for a file read under a lock taken
/// after the writer released it (the client revalidates the file's cache when it takes the lock
/// and flushes it before it releases). The lock is `flock(2)`, which Linux takes on the NFS server.
///
/// A whole run (which excludes every shard) reads every folder and removes the file: the next
/// sharded batch starts from the folders again. A damaged file (a shard killed mid-write) is
/// read as empty, and the rows come from the folders.
struct SummaryLedger {
    static let fileName = ".summary-rows.json"

    struct Contents: Codable {
        var rows: [String: Summary.Row]
    }

    /// Runs `body` while holding the ledger's lock, with the rows it holds; writes back the
    /// rows `body` returns. The wait for the lock happens off the cooperative thread pool.
    static func update(tree: ResultsTree, _ body: ([String: Summary.Row]) async throws -> [String: Summary.Row]) async throws {
        let path = tree.root.path + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ResultsTreeError(.io, operation: "create", path: path, errorNumber: errno) }
        defer { close(fd) }
        let locked: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                while flock(fd, LOCK_EX) != 0 {
                    if errno != EINTR { return continuation.resume(returning: errno) }
                }
                continuation.resume(returning: 0)
            }
        }
        guard locked == 0 else { throw ResultsTreeError(.io, operation: "lock", path: path, errorNumber: locked) }
        let current = read(fd).flatMap { try? CanonicalJSON.decode(Contents.self, from: $0) }?.rows ?? [:]
        let updated = try await body(current)
        let data = tree.redactor.redact(try CanonicalJSON.pretty(Contents(rows: updated), capacity: 4096 + 512 * updated.count))
        guard ftruncate(fd, 0) == 0 else { throw ResultsTreeError(.io, operation: "write", path: path, errorNumber: errno) }
        var offset = 0
        try data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while offset < raw.count {
                let n = pwrite(fd, base + offset, raw.count - offset, off_t(offset))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ResultsTreeError(.io, operation: "write", path: path, errorNumber: errno)
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw ResultsTreeError(.io, operation: "write", path: path, errorNumber: errno) }
    }

    /// Removes the ledger (a whole run, holding the tree exclusively).
    static func remove(tree: ResultsTree) {
        unlink(tree.root.path + "/" + fileName)
    }

    private static func read(_ fd: Int32) -> Data? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
            offset += off_t(n)
        }
        return data.isEmpty ? nil : data
    }
}
