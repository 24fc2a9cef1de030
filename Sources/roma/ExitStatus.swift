import ArgumentParser
import ROMARunner

/// The process exit codes of DESIGN.md (sysexits style).
enum ExitStatus {
    static let success = ExitCode(0)
    static let someFailed = ExitCode(1)
    static let usage = ExitCode(64)
    static let invalidManifest = ExitCode(65)
    static let locked = ExitCode(73)
    /// EX_CANTCREAT as well: the output tree cannot be created.
    static let cannotCreate = ExitCode(73)
    /// EX_IOERR: writing the tree failed (disk full, read-only, permission); the run stopped early.
    static let ioError = ExitCode(74)
    static let temporary = ExitCode(75)
    static let interrupted = ExitCode(130)
}

extension ExitStatus {
    /// The exit status of a results-tree failure.
    static func of(_ error: ResultsTreeError) -> ExitCode {
        error.code == .cannotCreate ? cannotCreate : ioError
    }
}
