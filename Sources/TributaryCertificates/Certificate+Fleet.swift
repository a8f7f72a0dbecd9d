import X509

extension Certificate {
    /// True when basicConstraints says CA:true.
    var isCertificateAuthority: Bool {
        if case .isCertificateAuthority = (try? self.extensions.basicConstraints) ?? .notCertificateAuthority {
            return true
        }
        return false
    }

    /// The extended key usages, empty when the extension is absent or malformed.
    var extendedKeyUsages: [ExtendedKeyUsage.Usage] {
        guard let eku = try? self.extensions.extendedKeyUsage else { return [] }
        return Array(eku)
    }

    /// The subject alternative names, empty when the extension is absent or malformed.
    var alternativeNames: [GeneralName] {
        guard let san = try? self.extensions.subjectAlternativeNames else { return [] }
        return Array(san)
    }

    /// The subject common names, in order.
    var commonNames: [String] {
        self.subject.flatMap { $0 }.compactMap { attribute in
            guard attribute.type == .RDNAttributeType.commonName else { return nil }
            return String(attribute.value)
        }
    }
}
