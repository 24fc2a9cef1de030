import Foundation
import ROMAEngine
import Synchronization

/// A stdio MCP server's process: started with exactly the environment the manifest names,
/// stopped (standard input closed, then SIGTERM, then SIGKILL) when the run ends.
final class ChildProcess: Sendable {
    private let process: Process
    private let stdin: Pipe
    private let stdout: Pipe
    private let state = Mutex<State>(State())

    private struct State {
        var exitStatus: Int32?
        var closing = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// `untilExit()` callers, by id; they leave early when their task is cancelled.
        var watchers: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelledWatchers: Set<Int> = []
        var nextWatcher = 0
    }

    /// Where the server's output is read (its standard output).
    var output: FileHandle { stdout.fileHandleForReading }
    /// Where requests are written (its standard input).
    var input: FileHandle { stdin.fileHandleForWriting }
    /// The exit status once it has exited.
    var exitStatus: Int32? { state.withLock { $0.exitStatus } }

    private init(process: Process, stdin: Pipe, stdout: Pipe) {
        self.process = process
        self.stdin = stdin
        self.stdout = stdout
    }

    /// Starts `command`; the program is looked up on the run's `PATH`. The child gets only the
    /// variables named in `passing` (and none of their values reach any file or log).
    static func start(server: String, command: [String], environment: [String: String], passing names: [String]) throws -> ChildProcess {
        guard let program = command.first, let path = resolve(program, path: environment["PATH"]) else {
            throw ToolError(
                code: .serverFailed, server: server,
                message: "the tool server '\(server)' cannot start: no program '\(command.first ?? "")' on PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(command.dropFirst())
        var childEnvironment: [String: String] = [:]
        for name in names { if let value = environment[name] { childEnvironment[name] = value } }
        process.environment = childEnvironment
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let child = ChildProcess(process: process, stdin: stdin, stdout: stdout)
        process.terminationHandler = { [weak child] ended in child?.exited(ended.terminationStatus) }
        do {
            try process.run()
        } catch {
            throw ToolError(
                code: .serverFailed, server: server,
                message: "the tool server '\(server)' cannot start \((path as NSString).lastPathComponent): \(error.localizedDescription)")
        }
        ToolServerProcesses.started(process.processIdentifier)
        // It may have exited already (its handler then found nothing to remove).
        if child.exitStatus != nil { ToolServerProcesses.exited(process.processIdentifier) }
        return child
    }

    /// Returns once the process has exited (at once if it has), or when the calling task is
    /// cancelled: for a task that watches the process beside other work in a task group.
    func untilExit() async {
        let id = state.withLock { state in
            defer { state.nextWatcher += 1 }
            return state.nextWatcher
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.exitStatus != nil || state.cancelledWatchers.remove(id) != nil { return true }
                    state.watchers[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let watcher = state.watchers.removeValue(forKey: id) { return watcher }
                // Not waiting yet (the body resumes at once when it sees this), or already resumed.
                if state.exitStatus == nil { state.cancelledWatchers.insert(id) }
                return nil
            }
            watcher?.resume()
        }
    }

    private func exited(_ status: Int32) {
        let (waiters, watchers) = state.withLock { state in
            state.exitStatus = status
            defer {
                state.waiters = []
                state.watchers = [:]
                state.cancelledWatchers = []
            }
            return (state.waiters, Array(state.watchers.values))
        }
        ToolServerProcesses.exited(process.processIdentifier)
        for waiter in waiters { waiter.resume() }
        for watcher in watchers { watcher.resume() }
    }

    /// Waits for the exit and returns its status; with `ifClosing`, returns nil at once unless the
    /// process has exited or its pipe is closed (a dropped session of a live process is not a death).
    func waitForExit(ifClosing: Bool = false) async -> Int32? {
        if ifClosing, exitStatus == nil, process.isRunning { return nil }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.exitStatus != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        return exitStatus
    }

    /// Closes its standard input and terminates it; returns once it has exited.
    func stop() async {
        guard exitStatus == nil else { return }
        state.withLock { $0.closing = true }
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        let pid = process.processIdentifier
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await self.waitForExit() }
            group.addTask {
                // A server that ignores SIGTERM is killed: a run never leaves an orphan behind.
                try? await Task.sleep(for: .seconds(3))
                if self.exitStatus == nil { kill(pid, SIGKILL) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    static func resolve(_ program: String, path: String?) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
