// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "roma",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "roma", targets: ["roma"]),
        .library(name: "ROMACore", targets: ["ROMACore"]),
        .library(name: "ROMAEngine", targets: ["ROMAEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "ROMAYAML", dependencies: ["CYAML"]),
        .target(name: "ROMACore", dependencies: ["ROMAYAML"]),
        .target(
            name: "ROMAEngine",
            dependencies: [
                "ROMACore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
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
                "ROMACore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ROMARunner",
            dependencies: [
                "ROMACore", "ROMAEngine", "ROMAClient", "ROMATools",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ROMAServer",
            dependencies: [
                "ROMACore", "ROMAEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "roma",
            dependencies: [
                "ROMACore", "ROMAEngine", "ROMARunner", "ROMAServer", "ROMAClient", "ROMATools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ROMATestSupport",
            dependencies: [
                "ROMACore", "ROMAEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ROMATestSupport"
        ),
        .executableTarget(
            name: "roma-bench",
            dependencies: [
                "ROMAYAML", "ROMACore", "ROMAEngine", "ROMARunner", "ROMAServer", "ROMATestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "benchmarks/roma-bench"
        ),
        .testTarget(name: "ROMAYAMLTests", dependencies: ["ROMAYAML", "ROMATestSupport"]),
        .testTarget(
            name: "ROMACoreTests",
            dependencies: ["ROMACore", "ROMATestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ROMAEngineTests", dependencies: ["ROMAEngine", "ROMATestSupport"]),
        .testTarget(name: "ROMARunnerTests", dependencies: ["ROMARunner", "ROMAEngine", "ROMATestSupport"]),
        .testTarget(
            name: "ROMAServerTests",
            dependencies: ["ROMAServer", "ROMAClient", "ROMARunner", "ROMATestSupport"]
        ),
    ]
)
