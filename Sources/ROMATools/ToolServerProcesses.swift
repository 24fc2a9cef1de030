import Foundation
import Synchronization

/// The stdio tool servers this process has running, so that a second Ctrl-C, which exits at once
/// without the orderly stop, still leaves no server behind.
public enum ToolServerProcesses {
    private static let running = Mutex<Set<Int32>>([])

    static func started(_ pid: Int32) { running.withLock { _ = $0.insert(pid) } }
    static func exited(_ pid: Int32) { running.withLock { _ = $0.remove(pid) } }

    /// Kills every server still running (SIGKILL): for a process about to exit without stopping them.
    public static func killAll() {
        for pid in running.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}
