import ArgumentParser

/// The process exit codes of DESIGN.md (sysexits style).
enum ExitStatus {
    static let success = ExitCode(0)
    static let someFailed = ExitCode(1)
    static let usage = ExitCode(64)
    static let invalidManifest = ExitCode(65)
    static let locked = ExitCode(73)
    static let temporary = ExitCode(75)
    static let interrupted = ExitCode(130)
}
