// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "roma",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "roma", targets: ["roma"]),
        .library(name: "ROMACore", targets: ["ROMACore"]),
        .library(name: "ROMAEngine", targets: ["ROMAEngine"]),
        .library(name: "ROMAWire", targets: ["ROMAWire"]),
        .library(name: "ROMAClient", targets: ["ROMAClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        // Observability (issue 17): the tracing API the engine calls (a no-op until a tracer is
        // bootstrapped), the OTLP/HTTP exporter only (the OTLPHTTP trait keeps gRPC out of the
        // build), and Prometheus text for `roma serve --metrics-port`.
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // issue-16: the PostgreSQL store of `roma serve --db postgres://…`.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "ROMAYAML", dependencies: ["CYAML"]),
        // The API's wire types: Foundation only, so an API client needs no libyaml.
        .target(name: "ROMAWire"),
        // Clocks, sleepers, the retry policy, node paths and task types: used by the engine and
        // the server alike.
        .target(name: "ROMAShared"),
        .target(
            name: "ROMACore",
            dependencies: ["ROMAYAML", "ROMAWire", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "ROMAEngine",
            dependencies: [
                "ROMACore", "ROMAShared", "ROMAClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ROMATools",
            dependencies: [
                "ROMACore", "ROMAEngine",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ROMAClient",
            dependencies: [
                "ROMAWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ROMARunner",
            dependencies: [
                "ROMACore", "ROMAEngine", "ROMAClient", "ROMATools",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ROMAServer",
            dependencies: [
                "ROMACore", "ROMAEngine", "ROMAShared", "ROMAWire", "ROMAClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),  // issue-16
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        .executableTarget(
            name: "roma",
            dependencies: [
                "ROMACore", "ROMAEngine", "ROMARunner", "ROMAServer", "ROMAClient", "ROMATools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "ROMATestSupport",
            dependencies: [
                "ROMACore", "ROMAEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/ROMATestSupport"
        ),
        .executableTarget(
            name: "roma-bench",
            dependencies: [
                "ROMAYAML", "ROMACore", "ROMAEngine", "ROMARunner", "ROMAServer", "ROMATestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "benchmarks/roma-bench"
        ),
        .testTarget(name: "ROMAYAMLTests", dependencies: ["ROMAYAML", "ROMATestSupport"]),
        .testTarget(
            name: "ROMACoreTests",
            dependencies: ["ROMACore", "ROMAYAML", "ROMATestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ROMAEngineTests",
            dependencies: [
                "ROMACore", "ROMAEngine", "ROMAClient", "ROMATestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "ROMARunnerTests", dependencies: ["ROMACore", "ROMARunner", "ROMAEngine", "ROMATestSupport", "ROMATools"]),
        .testTarget(
            name: "ROMAServerTests",
            dependencies: [
                "ROMACore", "ROMAEngine", "ROMARunner", "ROMAServer", "ROMATestSupport", "ROMAYAML",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
