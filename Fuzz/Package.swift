// swift-tools-version: 6.0
// libFuzzer target for the wire decoder; kept apart so that the main package never builds with
// sanitizers. Run it with scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "TributaryFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Tributary", path: ".."),
    ],
    targets: [
        // No main: libFuzzer supplies it and calls LLVMFuzzerTestOneInput.
        .executableTarget(
            name: "FuzzFrameDecoder",
            dependencies: [.product(name: "TributaryWire", package: "Tributary")]
        ),
    ]
)
