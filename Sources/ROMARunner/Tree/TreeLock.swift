import Foundation
import ROMACore

/// A lock file that stops two runs from writing the same results folder at once.
///
/// The file holds the holder's pid, host and start time. A lock whose process is gone (same
/// host, pid not alive) is stale and taken over.
public final class TreeLock: Sendable {
    /// Who holds a lock.
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
        public var holder: Holder?
        public var description: String {
            "\(path) is locked by another run: \(holder?.description ?? "unknown holder"); wait for it to finish, or remove the lock file if that run is gone"
        }
    }

    /// The lock file.
    public let url: URL

    private init(url: URL) {
        self.url = url
    }

    /// Takes the lock, recovering a stale one.
    public static func acquire(at url: URL, command: String) throws -> TreeLock {
        let me = Holder(
            pid: getpid(), host: ProcessInfo.processInfo.hostName, startedAt: Timestamp.string(Date()), command: command)
        let data = try CanonicalJSON.encode(me)
        for _ in 0..<3 {
            let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd >= 0 {
                _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                fsync(fd)
                close(fd)
                return TreeLock(url: url)
            }
            guard errno == EEXIST else {
                throw CocoaError(
                    .fileWriteUnknown,
                    userInfo: [NSLocalizedDescriptionKey: "cannot create lock \(url.path): \(String(cString: strerror(errno)))"])
            }
            let holder = FileManager.default.contents(atPath: url.path).flatMap { try? CanonicalJSON.decode(Holder.self, from: $0) }
            if let holder, holder.host == me.host, kill(holder.pid, 0) != 0, errno == ESRCH {
                // The holder died without cleaning up: take the lock over.
                try? FileManager.default.removeItem(at: url)
                continue
            }
            if holder == nil, let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                let modified = attributes[.modificationDate] as? Date, Date().timeIntervalSince(modified) > 5
            {
                // An empty or corrupt lock (a crash between create and write) is stale once it is old.
                try? FileManager.default.removeItem(at: url)
                continue
            }
            throw Locked(path: url.path, holder: holder)
        }
        throw Locked(path: url.path, holder: nil)
    }

    /// Releases the lock.
    public func release() {
        try? FileManager.default.removeItem(at: url)
    }
}
