import Foundation

/// Loading and validating a 10,000-goal manifest (filled in by the foundation issue).
enum ManifestBenchmark {
    static func run() async throws {}
}
