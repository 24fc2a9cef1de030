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
        var onExit: [@Sendable () -> Void] = []
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

    /// Runs `action` once the process exits (at once if it has).
    func onExit(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.exitStatus != nil { return true }
            state.onExit.append(action)
            return false
        }
        if now { action() }
    }

    private func exited(_ status: Int32) {
        let (waiters, actions) = state.withLock { state in
            state.exitStatus = status
            defer {
                state.waiters = []
                state.onExit = []
            }
            return (state.waiters, state.onExit)
        }
        ToolServerProcesses.exited(process.processIdentifier)
        for waiter in waiters { waiter.resume() }
        for action in actions { action() }
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
