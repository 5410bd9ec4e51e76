// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "intake",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "intake", targets: ["intake"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "IntakeCore",
            dependencies: ["CPhoneNumber", "COpenCC"],
            resources: [.copy("Resources/intake.case.v1.schema.json"), .copy("Resources/intake.visit.v1.schema.json")]
        ),
        .target(
            name: "IntakeStore",
            dependencies: [
                "IntakeCore",
                "IntakePipeline",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "IntakePipeline",
            dependencies: ["IntakeCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "IntakeChannels",
            dependencies: [
                "IntakeCore", "IntakeStore", "IntakePipeline", "CCurl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Google's libphonenumber (C++) behind a C function: Debian's libphonenumber-dev.
        .target(
            name: "CPhoneNumber",
            linkerSettings: [.linkedLibrary("phonenumber")]
        ),
        .systemLibrary(
            name: "COpenCC",
            providers: [.apt(["libopencc-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "IntakeForwarding",
            dependencies: [
                "IntakeCore", "IntakeStore", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "IntakeDaemon",
            dependencies: [
                "IntakeCore", "IntakeStore", "IntakePipeline", "IntakeChannels", "IntakeForwarding",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .executableTarget(
            name: "intake",
            dependencies: [
                "IntakeDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "intake-bench",
            dependencies: [
                "IntakeCore", "IntakeStore", "IntakeForwarding", "IntakePipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "bench/Sources/intake-bench"
        ),
        .testTarget(name: "IntakeCoreTests", dependencies: ["IntakeCore"]),
        .testTarget(
            name: "IntakeStoreTests",
            dependencies: ["IntakeStore", "IntakeCore", "IntakePipeline", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "IntakePipelineTests", dependencies: ["IntakePipeline", "IntakeCore"]),
        .testTarget(
            name: "IntakeChannelsTests",
            dependencies: [
                "IntakeTestSupport", "IntakeChannels", "IntakePipeline", "IntakeCore", "IntakeStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "IntakeForwardingTests",
            dependencies: [
                "IntakeTestSupport", "IntakeForwarding", "IntakeStore", "IntakeCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What the test targets share: real servers started on loopback in temp dirs (dovecot,
        // PostgreSQL, TLS and HTTP receivers), a daemon whose teardown is awaited, the JSON
        // Schema validator and the typed events read back from a sink.
        .target(
            name: "IntakeTestSupport",
            dependencies: [
                "IntakeDaemon", "IntakeStore", "IntakeCore", "IntakeForwarding", "IntakeChannels",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/IntakeTestSupport"
        ),
        .testTarget(
            name: "IntakeDaemonTests",
            dependencies: [
                "IntakeTestSupport", "IntakeDaemon", "IntakeStore", "IntakeCore", "IntakeForwarding", "IntakeChannels",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
