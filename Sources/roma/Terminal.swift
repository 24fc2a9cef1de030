import Foundation

/// Writing to the terminal's streams, and what the terminal can show.
struct Terminal: Sendable {
    let handle: FileHandle

    static let standardError = Terminal(handle: .standardError)
    static let standardOutput = Terminal(handle: .standardOutput)

    func write(_ text: String) {
        handle.write(Data(text.utf8))
    }

    /// Whether the stream is an interactive terminal.
    var isInteractive: Bool { isatty(handle.fileDescriptor) == 1 }

    /// Whether colour may be used (`NO_COLOR` unset and an interactive terminal).
    var allowsColor: Bool {
        isInteractive && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }
}
