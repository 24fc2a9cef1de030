import Foundation
import ROMACore

/// Writing to the terminal's streams, and what the terminal can show.
struct Terminal: Sendable {
    let handle: FileHandle

    static let standardError = Terminal(handle: .standardError)
    static let standardOutput = Terminal(handle: .standardOutput)

    /// Every line the command prints goes through it: no secret reaches a terminal or a log.
    nonisolated(unsafe) static var redactor = Redactor.fromEnvironment(ProcessInfo.processInfo.environment)

    func write(_ text: String) {
        write(Data(text.utf8))
    }

    /// Writes a line (as `print` would, redacted).
    func line(_ text: String) {
        write(text + "\n")
    }

    func write(_ data: Data) {
        handle.write(Self.redactor.redact(data))
    }

    /// Whether the stream is an interactive terminal.
    var isInteractive: Bool { isatty(handle.fileDescriptor) == 1 }

    /// Whether colour may be used (`NO_COLOR` unset and an interactive terminal).
    var allowsColor: Bool {
        isInteractive && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }
}
