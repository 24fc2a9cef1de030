import Foundation

/// The median of samples (0 for none).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// The process's peak resident set size in bytes (`VmHWM`), if the kernel reports it.
func peakRSSBytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }
    return nil
}

/// User plus system CPU time of the process so far, in seconds.
func processCPUSeconds() -> Double {
    let times = processCPUTimes()
    return times.user + times.system
}

/// `getrusage(RUSAGE_SELF)`: this process's own threads, not its children's.
private func selfUsage() -> rusage {
    var usage = rusage()
    #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
        getrusage(RUSAGE_SELF, &usage)
    #endif
    return usage
}

/// This process's voluntary and involuntary context switches so far.
func contextSwitches() -> (voluntary: Int, involuntary: Int) {
    let usage = selfUsage()
    return (usage.ru_nvcsw, usage.ru_nivcsw)
}

/// User and system CPU time of this process so far (its own threads, not its children's), in seconds.
func processCPUTimes() -> (user: Double, system: Double) {
    let usage = selfUsage()
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return (seconds(usage.ru_utime), seconds(usage.ru_stime))
}
