import ArgumentParser
import Foundation
import TributaryRegistry

/// `--registry DIR`, shared by every `models` subcommand. The directory must already hold a
/// registry: a mistyped path is an error, not a new empty registry.
struct RegistryOptions: ParsableArguments {
    @Option(name: .long, help: "The registry directory (holds registry.sqlite and blobs/).")
    var registry: String

    /// Opens the registry: `.readOnly` for list/show/export (no lock, works on a read-only mount),
    /// `.shared` for promote/reject/rollback (row transactions beside a running coordinator),
    /// `.exclusive` for sweep (refused while a coordinator holds the lock).
    func open(_ access: RegistryAccess) throws -> ModelRegistry {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: registry, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelsCommandError("--registry \(registry): no such directory")
        }
        guard FileManager.default.fileExists(atPath: registry + "/registry.sqlite") else {
            throw ModelsCommandError("--registry \(registry): not a registry (no registry.sqlite inside)")
        }
        do {
            return try ModelRegistry(configuration: RegistryConfiguration(directory: registry, access: access))
        } catch let error as RegistryError where error.code == .locked || error.code == .readOnly {
            throw ModelsCommandError(error.reason)  // names the registry already
        } catch let error as RegistryError {
            throw ModelsCommandError("--registry \(registry): \(error.reason)")
        }
    }

    /// Parses a version argument ("3" or "v3").
    static func version(_ text: String, flag: String = "VERSION") throws -> UInt64 {
        let digits = text.hasPrefix("v") ? String(text.dropFirst()) : text
        guard let number = UInt64(digits), number > 0 else {
            throw ModelsCommandError("\(flag) '\(text)' is not a version number (a positive integer such as 3)")
        }
        return number
    }
}

/// Runs a registry call, turning its errors into one line.
func registryCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as RegistryError {
        throw ModelsCommandError(error.reason)
    }
}
