import Foundation
import ROMACore
import ROMATestSupport
import ROMAYAML

/// Loading and validating a 10,000-goal manifest, and how fast hostile input is turned away.
///
/// Run in release mode: `benchmarks/run manifest` (builds into `.build-release`, runs `.build-release/release/roma-bench manifest`).
/// Peak RSS is the kernel's high-water mark (VmHWM), reset before each measurement through
/// `/proc/self/clear_refs` so every row reports its own peak, not the process's.
enum ManifestBenchmark {
    static let goalCount = 10_000
    static let iterations = 15
    static let hostileIterations = 5

    static func run() async throws {
        let environment = ["USER": "bench", "TEAM": "research"]
        let loader = ManifestLoader(environment: environment)
        let manifest = ManifestText.generate(goals: goalCount)
        let megabytes = Double(manifest.count) / 1_048_576

        // Check the workload before timing it: every goal valid, nothing reported.
        let (checked, diagnostics) = loader.load(bytes: manifest, file: "bench.yaml")
        guard diagnostics.isEmpty, let checked, checked.goals.count == goalCount else {
            let first = diagnostics.first.map { $0.rendered() } ?? "no manifest"
            throw BenchmarkFailure("the generated manifest is not valid: \(first)")
        }

        print(
            "roma-bench manifest: \(goalCount.grouped) goals, \(format(megabytes, digits: 2)) MB of YAML, \(iterations) iterations"
        )
        let loadAverage =
            (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
        print(
            "load average \(loadAverage) on \(ProcessInfo.processInfo.activeProcessorCount) cores; peak RSS is the whole"
        )
        print("process's high-water mark during the timed runs, live inputs included")
        print("")
        print(row("measurement", "median", "p90", "min", "peak RSS", "note"))
        print(String(repeating: "-", count: 104))

        let parse = measure(iterations: iterations) {
            let (node, errors) = try YAMLParser().parseDocument(manifest)
            guard errors.isEmpty, node.pairs != nil else { throw BenchmarkFailure("parse failed") }
        }
        print(row("YAML parse only (YAMLParser)", parse, note: "\(format(megabytes / parse.median, digits: 1)) MB/s"))

        let load = measure(iterations: iterations) {
            let (loaded, diagnostics) = loader.load(bytes: manifest, file: "bench.yaml")
            guard diagnostics.isEmpty, loaded?.goals.count == goalCount else { throw BenchmarkFailure("load failed") }
        }
        let goalsPerSecond = Double(goalCount) / load.median
        print(row("load(bytes:file:) 10k goals", load, note: "\(Int(goalsPerSecond).grouped) goals/s"))

        let resolve = measure(iterations: iterations) {
            let table = ProfileTable.resolve(manifest: checked.profileModels, environment: environment)
            var hashes = Set<String>()
            for goal in checked.goals {
                hashes.insert(ResolvedRequest(id: goal.id, request: goal.request, profiles: table).contentHash)
            }
            guard hashes.count == goalCount else { throw BenchmarkFailure("hash collision") }
        }
        print(row("resolve + contentHash, 10k goals", resolve, note: "request.json hashes"))

        print("")
        print(row("hostile input", "median", "p90", "min", "peak RSS", "outcome"))
        print(String(repeating: "-", count: 104))
        try hostile(loader: loader)
    }

    // MARK: Hostile input

    private static func hostile(loader: ManifestLoader) throws {
        let fiftyMB = 50 << 20
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roma-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // A real 50 MB manifest on disk (not sparse): reading it would cost real time.
        let bigFile = directory.appendingPathComponent("huge.yaml")
        var big = ManifestText.generate(goals: 1_000)
        let chunk = big
        while big.count < fiftyMB { big += chunk }
        try Data(big.prefix(fiftyMB)).write(to: bigFile)
        big = []

        try hostileRow("50 MB file, ManifestLoader.load(file:)") {
            let (manifest, diagnostics) = loader.load(file: bigFile.path)
            guard manifest == nil, diagnostics.first?.message.contains("larger than the limit") == true else {
                throw BenchmarkFailure("not rejected by size: \(diagnostics.first?.headline ?? "accepted")")
            }
            return "rejected by size before reading"
        }

        do {  // scoped so the 50 MB inputs are freed before the next rows
            let fiftyMBOfText = [UInt8](repeating: UInt8(ascii: "a"), count: fiftyMB)
            try hostileRow("50 MB bytes, YAMLParser.parse") {
                try expect(.tooLarge, fiftyMBOfText)
            }
            try hostileRow("50 MB one line, load(bytes:file:)") {
                try expectDiagnostic(loader, fiftyMBOfText, containing: "larger than the limit")
            }
            let fiftyMBOfNewlines = [UInt8](repeating: UInt8(ascii: "\n"), count: fiftyMB)
            try hostileRow("50 MB of newlines, load(bytes:file:)", iterations: 3) {
                try expectDiagnostic(loader, fiftyMBOfNewlines, containing: "larger than the limit")
            }
        }

        let nested = Array(String(repeating: "[", count: 100_000).utf8)
        try hostileRow("100,000 nested '[', YAMLParser.parse") {
            try expect(.tooDeep, nested)
        }
        try hostileRow("100,000 nested '[', load(bytes:file:)") {
            try expectDiagnostic(loader, nested, containing: "nested more than")
        }

        let bomb = Array(billionLaughs.utf8)
        try hostileRow("billion laughs (9^9), YAMLParser.parse") {
            try expect(.aliasExpansion, bomb)
        }
        try hostileRow("billion laughs (9^9), load(bytes:file:)") {
            try expectDiagnostic(loader, bomb, containing: "alias bomb")
        }

        // Many errors on one long line: each diagnostic shows only a clipped window of it.
        let oneLine = Array(
            ("goals: [" + Array(repeating: "{goal: \"\"}", count: 10_000).joined(separator: ", ") + "]\n").utf8)
        try hostileRow("10,000 errors on one \(oneLine.count / 1024) KB line", iterations: 3) {
            let (manifest, diagnostics) = loader.load(bytes: oneLine, file: "one-line.yaml")
            guard manifest == nil, diagnostics.count == 10_000 else {
                throw BenchmarkFailure("expected 10,000 diagnostics, got \(diagnostics.count)")
            }
            let copied = diagnostics.reduce(0) { $0 + ($1.sourceLine?.utf8.count ?? 0) }
            return "10,000 diagnostics, \(copied / 1024) KB of source-line excerpts"
        }

        var rng = SplitMix64(seed: 42)
        var garbage = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        garbage[0] = UInt8(ascii: "g")
        try hostileRow("1 MB random bytes, load(bytes:file:)") {
            let (manifest, diagnostics) = loader.load(bytes: garbage, file: "garbage.yaml")
            guard manifest == nil, let first = diagnostics.first else { throw BenchmarkFailure("garbage accepted") }
            return "rejected at \(first.line):\(first.column)"
        }
    }

    private static func expect(_ code: YAMLError.Code, _ bytes: [UInt8]) throws -> String {
        do {
            _ = try YAMLParser().parse(bytes)
        } catch {
            guard error.code == code else {
                throw BenchmarkFailure("expected \(code), got \(error.code): \(error.message)")
            }
            return "\(code) at \(error.mark)"
        }
        throw BenchmarkFailure("expected \(code), but it parsed")
    }

    private static func expectDiagnostic(_ loader: ManifestLoader, _ bytes: [UInt8], containing text: String) throws
        -> String
    {
        let (manifest, diagnostics) = loader.load(bytes: bytes, file: "hostile.yaml")
        guard manifest == nil, let first = diagnostics.first, first.message.contains(text) else {
            throw BenchmarkFailure(
                "expected a diagnostic containing '\(text)', got \(diagnostics.first?.headline ?? "none")")
        }
        return "diagnostic at \(first.line):\(first.column)"
    }

    private static func hostileRow(_ label: String, iterations: Int = hostileIterations, _ body: () throws -> String)
        throws
    {
        var outcome = ""
        let result = measure(iterations: iterations) { outcome = try body() }
        if let failure = result.failure { throw failure }
        print(row(label, result, note: outcome))
    }

    /// The classic "billion laughs": nine levels of nine aliases.
    static var billionLaughs: String {
        let names = Array("abcdefghi")
        var lines = ["a: &a [" + Array(repeating: "\"lol\"", count: 9).joined(separator: ", ") + "]"]
        for i in 1..<names.count {
            lines.append(
                "\(names[i]): &\(names[i]) [" + Array(repeating: "*\(names[i - 1])", count: 9).joined(separator: ", ")
                    + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Measuring

    struct Measurement {
        var seconds: [Double]
        var peakRSS: Int?
        var failure: BenchmarkFailure?

        var median: Double { percentile(0.5) }
        var p90: Double { percentile(0.9) }
        var min: Double { seconds.min() ?? 0 }

        /// Nearest-rank percentile.
        func percentile(_ p: Double) -> Double {
            let sorted = seconds.sorted()
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((p * Double(sorted.count)).rounded(.up))
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
        }
    }

    /// Runs `body` once to warm up, then `iterations` timed times; peak RSS covers the timed runs.
    private static func measure(iterations: Int, _ body: () throws -> Void) -> Measurement {
        do {
            try body()
        } catch {
            return Measurement(seconds: [], failure: error as? BenchmarkFailure ?? BenchmarkFailure("\(error)"))
        }
        MemoryStatus.resetPeak()
        let clock = ContinuousClock()
        var seconds: [Double] = []
        for _ in 0..<iterations {
            let start = clock.now
            do {
                try body()
            } catch {
                return Measurement(
                    seconds: seconds, failure: error as? BenchmarkFailure ?? BenchmarkFailure("\(error)"))
            }
            let elapsed = clock.now - start
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return Measurement(seconds: seconds, peakRSS: MemoryStatus.peakRSS())
    }

    // MARK: Printing

    private static func row(_ label: String, _ m: Measurement, note: String) -> String {
        row(
            label, time(m.median), time(m.p90), time(m.min),
            m.peakRSS.map { "\(format(Double($0) / 1_048_576, digits: 1)) MB" } ?? "n/a", note)
    }

    private static func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String, _ f: String) -> String {
        a.padding(toLength: 40, withPad: " ", startingAt: 0) + pad(b, 10) + pad(c, 10) + pad(d, 10) + pad(e, 11) + "  "
            + f
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }

    private static func time(_ seconds: Double) -> String {
        if seconds >= 1 { return format(seconds, digits: 2) + " s" }
        if seconds >= 1e-3 { return format(seconds * 1e3, digits: 1) + " ms" }
        return format(seconds * 1e6, digits: 1) + " µs"
    }

    private static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}

extension ManifestBenchmark {
    /// A benchmark whose workload did not behave as expected.
    struct BenchmarkFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The process's memory figures from `/proc/self/status` (Linux).
    enum MemoryStatus {
        /// Resets the peak RSS to the current RSS (`echo 5 > /proc/self/clear_refs`, Linux 4.0+).
        static func resetPeak() {
            guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
            try? handle.write(contentsOf: Data("5".utf8))
            try? handle.close()
        }

        /// The peak resident set size in bytes (VmHWM).
        static func peakRSS() -> Int? { peakRSSBytes() }
    }

    /// A realistic manifest: defaults, an engine section, profiles, and goals that mix explicit and
    /// derived ids, profiles, depths, overrides, metadata, folded text and interpolation.
    enum ManifestText {
        static let topics = [
            "sodium-ion battery chemistry", "AI trends in 2025", "Bitcoin price action", "Ethereum staking yields",
            "heat pump adoption in Europe", "open-weight language model licences", "fiat-backed stablecoin risk",
            "grid-scale storage economics", "quantum error correction", "supply chains for rare earths",
            "remote work productivity studies", "carbon capture at cement plants", "RISC-V in data centres",
            "urban air quality sensors", "antibiotic resistance surveillance", "satellite broadband pricing",
        ]
        static let verbs = [
            "Research", "Summarise", "Compare", "Assess", "Explain", "Survey", "Write a briefing on", "Analyze",
        ]
        static let audiences = [
            "a product team", "an investment committee", "a policy analyst", "a treasury team", "new engineers",
            "the board",
        ]
        static let profiles = ["general", "high_quality", "fast", "crypto_agent"]

        static func generate(goals count: Int) -> [UInt8] {
            var rng = SplitMix64(seed: 7)
            var text = """
                # Generated by roma-bench: \(count) goals.
                version: 1
                name: bench-\(count)
                defaults:
                  config_profile: general
                  max_depth: 3
                  config_overrides: { temperature: 0.5 }
                  metadata: { team: "${TEAM}", schedule: nightly }
                engine:
                  mode: local
                  concurrency: 8
                  provider: offline
                profiles:
                  general: llama3.1:8b
                  high_quality: { model: qwen2.5:32b }
                goals:

                """
            text.reserveCapacity(count * 260)
            for index in 0..<count {
                let topic = topics[Int.random(in: 0..<topics.count, using: &rng)]
                let verb = verbs[Int.random(in: 0..<verbs.count, using: &rng)]
                let audience = audiences[Int.random(in: 0..<audiences.count, using: &rng)]
                let goal =
                    "\(verb) \(topic) (item \(index + 1)) and summarise the three most important findings for \(audience)."
                let roll = Int.random(in: 0..<100, using: &rng)
                if roll < 10 {
                    // No id: derived from the text.
                    text += "  - goal: \(goal)\n"
                } else if roll < 15 {
                    text +=
                        "  - id: goal-\(index + 1)\n    goal: >-\n      \(goal)\n      Include sources and note open questions.\n"
                } else {
                    text += "  - id: goal-\(index + 1)\n    goal: \"\(goal)\"\n"
                }
                if Int.random(in: 0..<100, using: &rng) < 30 {
                    text += "    config_profile: \(profiles[Int.random(in: 0..<profiles.count, using: &rng)])\n"
                }
                if Int.random(in: 0..<100, using: &rng) < 25 {
                    text += "    max_depth: \(Int.random(in: 1...10, using: &rng))\n"
                }
                if Int.random(in: 0..<100, using: &rng) < 20 {
                    let temperature = Double(Int.random(in: 0...10, using: &rng)) / 10
                    text +=
                        "    config_overrides: { temperature: \(temperature), max_tokens: \(Int.random(in: 100...16_000, using: &rng)) }\n"
                }
                if Int.random(in: 0..<100, using: &rng) < 25 {
                    text += "    metadata:\n      owner: \"${USER:-bench}\"\n      ticket: T-\(index + 1)\n"
                }
            }
            return Array(text.utf8)
        }
    }

}

extension Int {
    /// With thousands separators.
    fileprivate var grouped: String {
        let digits = String(self)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
