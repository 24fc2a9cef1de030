import Foundation
import NIOCore
import ROMATestSupport
import Testing

@testable import ROMAServer

@Suite("gzip (zlib through compress-nio)")
struct GzipTests {
    /// Decompresses with the system's `gzip -dc`, an independent decoder.
    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory
        let file = directory.appendingPathComponent("gzip-\(UUID().uuidString).gz")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("gzip -dc failed (\(process.terminationStatus))") }
        return Array(data)
    }

    static let samples: [[UInt8]] = {
        var generator = SplitMix64(seed: 42)
        let random = (0..<70_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let json = Array(String(repeating: #"{"execution_id":"exec_abc","status":"completed","progress":100},"#, count: 2_000).utf8)
        return [
            [], [7], Array("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8), Array("abcabcabcabd".utf8), json, random,
            Array(repeating: 0, count: 300_000),
        ]
    }()

    @Test(arguments: 0..<samples.count)
    func roundTripsThroughGzip(_ index: Int) throws {
        let input = Self.samples[index]
        let compressed = Array(try Gzip.compress(ByteBuffer(bytes: input)).readableBytesView)
        #expect(try Self.gunzip(compressed) == input)
        if input.count > 1000, index != 5 { #expect(compressed.count < input.count / 4) }
    }

    @Test(arguments: [
        ("gzip", true), ("deflate, gzip;q=0.5", true), ("GZIP", true), ("*", true), ("gzip;q=0", false),
        ("identity", false), ("br", false), ("*;q=0", false), ("", false),
    ])
    func acceptEncoding(_ header: String, _ accepted: Bool) {
        #expect(Gzip.isAccepted(by: header) == accepted)
    }
}
