import Foundation

/// The admin endpoint's bearer token, read once at start from `admin.token_file`.
///
/// The file must be readable by its owner only (mode 0600 or stricter): the token lets anyone
/// who has it start rounds. Its content is the token, surrounding whitespace ignored; at least
/// 16 characters, none of them whitespace.
struct AdminToken: Sendable {
    private let bytes: [UInt8]

    init(_ token: String) {
        self.bytes = Array(token.utf8)
    }

    /// - Throws: ``CoordinatorError`` `startup` naming the file and what was wrong with it.
    static func read(path: String) throws -> AdminToken {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw CoordinatorError(.startup, "admin.token_file \(path) cannot be read: it does not exist or is not accessible")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw CoordinatorError(.startup, "admin.token_file \(path) has mode \(String(mode, radix: 8)); it must be readable by its owner only (chmod 600)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CoordinatorError(.startup, "admin.token_file \(path) cannot be read")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16, !token.contains(where: \.isWhitespace) else {
            throw CoordinatorError(.startup, "admin.token_file \(path) holds a token of \(token.count) characters; it must be one word of at least 16 characters (e.g. `openssl rand -hex 32`)")
        }
        return AdminToken(token)
    }

    /// True when `authorization` is `Bearer <token>`; compares in time that does not depend on
    /// where the presented token first differs.
    func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let presented = Array(authorization.dropFirst("Bearer ".count).utf8)
        var difference: UInt8 = presented.count == bytes.count ? 0 : 1
        for index in bytes.indices {
            difference |= bytes[index] ^ (index < presented.count ? presented[index] : 0)
        }
        return difference == 0
    }
}
