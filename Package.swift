// swift-tools-version:6.0
import PackageDescription

// Numerical and media targets are always compiled with optimisation, also in debug builds,
// so that `swift test` (debug) runs the parity tests in seconds rather than minutes.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O", "-enforce-exclusivity=unchecked"])]

// Set I2V_TEST_TARGETS=MediaTests,QualityTests to build and run only those test targets (and
// skip the executable); useful while working on one module. Unset, everything is built.
let onlyTests: Set<String>? = Context.environment["I2V_TEST_TARGETS"].map { Set($0.split(separator: ",").map(String.init)) }

func selected(_ targets: [Target]) -> [Target] {
    guard let only = onlyTests else { return targets }
    // Keep the selected test targets and the closure of the targets they depend on.
    let byName = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) })
    var keep = Set<String>()
    var queue = Array(only)
    while let name = queue.popLast() {
        guard let t = byName[name], keep.insert(name).inserted else { continue }
        for dep in t.dependencies {
            switch dep {
            case .targetItem(let n, _), .byNameItem(let n, _): queue.append(n)
            default: break
            }
        }
    }
    return targets.filter { keep.contains($0.name) }
}

let package = Package(
    name: "i2v",
    platforms: [.macOS(.v14)],
    products: onlyTests == nil ? [.executable(name: "i2v", targets: ["i2v"])] : [],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: selected([
        // MARK: - System libraries (Debian -dev packages, installed by scripts/bootstrap.sh)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas"),
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat libavcodec libavutil libswscale"),
        .systemLibrary(name: "CImageCodecs", path: "Sources/CImageCodecs", pkgConfig: "libjpeg libpng libwebp libwebpmux libwebpdemux"),

        // MARK: - Engine
        .target(name: "CVectorMath", path: "Sources/CVectorMath", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "Tensor", dependencies: ["CBLAS", "CVectorMath"], swiftSettings: optimised),
        .target(name: "TensorCUDA", dependencies: ["Tensor"], swiftSettings: optimised),
        .target(name: "ModelIO", dependencies: ["Tensor"], swiftSettings: optimised),
        .target(name: "I2VGenXL", dependencies: ["Tensor", "ModelIO"], swiftSettings: optimised),

        // MARK: - Media, quality, motion strategy
        .target(name: "CJPEGShim", dependencies: ["CImageCodecs"], path: "Sources/CJPEGShim", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "Media", dependencies: ["CFFmpeg", "CImageCodecs", "CJPEGShim"], swiftSettings: optimised),
        .target(name: "Quality", dependencies: ["Media"], swiftSettings: optimised),
        .target(name: "Motion", dependencies: ["Media", "Tensor", "ModelIO"], resources: [.copy("Data")], swiftSettings: optimised),

        // MARK: - Service
        .target(name: "Jobs", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "Server",
            dependencies: [
                "Jobs", "Media", "Quality", "Motion", "I2VGenXL", "TensorCUDA",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(
            name: "i2v",
            dependencies: [
                "Server", "I2VGenXL", "Media", "Quality", "Motion", "Jobs", "Tensor", "TensorCUDA", "ModelIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "i2v-device",
            dependencies: ["Tensor", "TensorCUDA", "ModelIO", "I2VGenXL", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // MARK: - Tests (fixtures are read from Tests/Fixtures by path, not bundled)
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "TensorCUDATests", dependencies: ["TensorCUDA", "Tensor"]),
        .testTarget(name: "ModelIOTests", dependencies: ["ModelIO", "Tensor"]),
        .testTarget(name: "I2VGenXLTests", dependencies: ["I2VGenXL", "ModelIO", "Tensor"]),
        .testTarget(name: "MediaTests", dependencies: ["Media"]),
        .testTarget(name: "QualityTests", dependencies: ["Quality", "Media"]),
        .testTarget(name: "MotionTests", dependencies: ["Motion", "Media", "Quality"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs"]),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Server", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
    ]),
    swiftLanguageModes: [.v5]
)
