import Foundation

/// The walk over a message's part tree, collecting body text and attachments.
struct MIMEWalker {
    enum Role {
        /// Text parts here are body text.
        case body
        /// An alternative not chosen, or a related resource: only its files count.
        case attachmentsOnly
    }

    let bytes: [UInt8]
    let maxAttachmentBytes: Int
    let maxDepth: Int
    var texts: [String] = []
    var attachments: [MIMEAttachment] = []
    var problems: [String] = []
    var isReport = false
    private var partCount = 0
    private var partLimitReported = false

    init(bytes: [UInt8], maxAttachmentBytes: Int, maxDepth: Int) {
        self.bytes = bytes
        self.maxAttachmentBytes = maxAttachmentBytes
        self.maxDepth = maxDepth
    }

    mutating func walk(_ header: MIMEHeaderBlock, path: String, depth: Int, defaultType: String, role: Role) {
        partCount += 1
        guard partCount <= MIMEParser.maxParts else {
            if !partLimitReported {
                partLimitReported = true
                problems.append("more than \(MIMEParser.maxParts) parts, the rest not read")
            }
            return
        }
        let label = path.isEmpty ? "part 1" : "part \(path)"
        var contentType = MIMEParameters(header.value("Content-Type") ?? defaultType)
        problems += contentType.problems.map { "\(label): Content-Type \($0)" }
        if !contentType.value.contains("/") {
            if header.value("Content-Type") != nil {
                problems.append("\(label): Content-Type '\(MIMECharset.printable(contentType.value))' is not a media type, read as text/plain")
            }
            contentType = MIMEParameters("text/plain")
        }
        let body = header.bodyStart..<max(header.bodyStart, header.bodyEnd)
        if contentType.value.hasPrefix("multipart/") {
            walkMultipart(contentType, body: body, path: path, depth: depth, role: role)
            return
        }
        leaf(header, contentType: contentType, body: body, label: label, role: role)
    }

    private mutating func walkMultipart(_ contentType: MIMEParameters, body: Range<Int>, path: String, depth: Int, role: Role) {
        let label = path.isEmpty ? "message" : "part \(path)"
        guard depth < maxDepth else {
            problems.append("\(label): multipart nested deeper than \(maxDepth), kept as an attachment")
            addAttachment(name: nil, mediaType: contentType.value, body: body, encoding: "", label: label)
            return
        }
        if contentType.value == "multipart/report", depth <= 1 { isReport = true }
        guard let boundary = contentType["boundary"], !boundary.isEmpty else {
            problems.append("\(label): \(contentType.value) without a boundary, read as text")
            readText(body, contentType: MIMEParameters("text/plain"), encoding: "", label: label, role: role)
            return
        }
        let split = MultipartSplitter.split(bytes, body, boundary: Array(boundary.utf8))
        if split.parts.isEmpty {
            problems.append("\(label): no part delimited by its boundary, read as text")
            readText(body, contentType: MIMEParameters("text/plain"), encoding: "", label: label, role: role)
            return
        }
        if !split.closed { problems.append("\(label): missing final boundary") }
        let childDefault = contentType.value == "multipart/digest" ? "message/rfc822" : "text/plain"
        let headers = split.parts.map { MIMEHeaderBlock(bytes[$0]) }
        // The one child that is the body: an alternative's best, a related's root; nil when all are.
        let chosen: Int? = switch contentType.value {
        case "multipart/alternative": chooseAlternative(headers)
        case "multipart/related": 0
        default: nil
        }
        for (offset, header) in headers.enumerated() {
            let childPath = path.isEmpty ? "\(offset + 1)" : "\(path).\(offset + 1)"
            if !header.problems.isEmpty { problems += header.problems.map { "part \(childPath): \($0)" } }
            let childRole: Role = chosen == nil || chosen == offset ? role : .attachmentsOnly
            // A part's body ends where its range does, not at the end of the message.
            var bounded = header
            bounded.bodyEnd = split.parts[offset].upperBound
            walk(bounded, path: childPath, depth: depth + 1, defaultType: childDefault, role: childRole)
        }
    }

    /// Plain text over HTML: the first alternative that has text/plain, else the last with HTML, else the first.
    private func chooseAlternative(_ headers: [MIMEHeaderBlock]) -> Int {
        let kinds = headers.map { textKind($0, levels: 3) }
        if let plain = kinds.firstIndex(of: 2) { return plain }
        if let html = kinds.lastIndex(of: 1) { return html }
        return 0
    }

    /// 2 when the part's body text would be text/plain, 1 when HTML, 0 when it has none.
    /// Looks `levels` deep at most: alternatives hold related or mixed parts, rarely more.
    private func textKind(_ header: MIMEHeaderBlock, levels: Int) -> Int {
        let contentType = MIMEParameters(header.value("Content-Type") ?? "text/plain")
        if contentType.value.hasPrefix("multipart/") {
            guard levels > 0, let boundary = contentType["boundary"], !boundary.isEmpty else { return 0 }
            let parts = MultipartSplitter.split(bytes, header.bodyStart..<header.bodyEnd, boundary: Array(boundary.utf8)).parts.prefix(50)
            let kinds = parts.map { part -> Int in
                var child = MIMEHeaderBlock(bytes[part])
                child.bodyEnd = part.upperBound
                return textKind(child, levels: levels - 1)
            }
            return contentType.value == "multipart/related" ? kinds.first ?? 0 : kinds.max() ?? 0
        }
        guard !isAttachment(header, contentType: contentType) else { return 0 }
        switch contentType.value {
        case "text/plain": return 2
        case "text/html": return 1
        default: return 0
        }
    }

    private func isAttachment(_ header: MIMEHeaderBlock, contentType: MIMEParameters) -> Bool {
        if let disposition = header.value("Content-Disposition") {
            let parsed = MIMEParameters(disposition)
            if parsed.value == "attachment" || parsed["filename"] != nil { return true }
        }
        return contentType["name"] != nil
    }

    private mutating func leaf(_ header: MIMEHeaderBlock, contentType: MIMEParameters, body: Range<Int>, label: String, role: Role) {
        let encoding = (header.value("Content-Transfer-Encoding") ?? "").trimmingWhitespace().lowercased()
        let disposition = header.value("Content-Disposition").map(MIMEParameters.init)
        if let disposition { problems += disposition.problems.map { "\(label): Content-Disposition \($0)" } }
        let name = disposition?["filename"] ?? contentType["name"]
        let isBodyText = (contentType.value == "text/plain" || contentType.value == "text/html")
            && disposition?.value != "attachment" && name == nil
        if isBodyText {
            readText(body, contentType: contentType, encoding: encoding, label: label, role: role)
        } else {
            addAttachment(name: name, mediaType: contentType.value, body: body, encoding: encoding, label: label)
        }
    }

    private mutating func readText(_ body: Range<Int>, contentType: MIMEParameters, encoding: String, label: String, role: Role) {
        guard role == .body else { return }
        let decoded = TransferDecoding.decode(bytes[body], encoding: encoding, keeping: true)
        if let problem = decoded.problem { problems.append("\(label): \(problem)") }
        let charset = MIMECharset.decode(decoded.bytes[...], charset: contentType["charset"])
        if let problem = charset.problem { problems.append("\(label): \(problem)") }
        var text = charset.text.normalizingLineEnds()
        if contentType.value == "text/html" {
            text = HTMLText.text(text)
        } else if contentType["format"]?.lowercased() == "flowed" {
            text = FlowedText.unflow(text, deleteSpace: contentType["delsp"]?.lowercased() == "yes")
        }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        // Leading blank lines, not a leading indent: cut once, as a cut per line is quadratic.
        var cut = text.startIndex
        while let newline = text[cut...].firstIndex(of: "\n"), text[cut..<newline].allSatisfy(\.isWhitespace) {
            cut = text.index(after: newline)
        }
        text.removeSubrange(..<cut)
        if !text.isEmpty { texts.append(text) }
    }

    private mutating func addAttachment(name: String?, mediaType: String, body: Range<Int>, encoding: String, label: String) {
        let slice = bytes[body]
        // Decoded bytes never outnumber encoded ones: keep them when the encoded size fits.
        var decoded = TransferDecoding.decode(slice, encoding: encoding, keeping: slice.count <= maxAttachmentBytes)
        if slice.count > maxAttachmentBytes, decoded.count <= maxAttachmentBytes {
            decoded = TransferDecoding.decode(slice, encoding: encoding, keeping: true)
        }
        if let problem = decoded.problem { problems.append("\(label): \(problem)") }
        let finalName: String
        if let name, !name.trimmingWhitespace().isEmpty {
            finalName = AttachmentName.sanitized(name)
        } else {
            finalName = "attachment-\(attachments.count + 1)"
        }
        let keep = decoded.count <= maxAttachmentBytes
        attachments.append(MIMEAttachment(name: finalName, mediaType: mediaType, size: decoded.count, data: keep ? Data(decoded.bytes) : nil))
    }
}

extension String {
    func normalizingLineEnds() -> String {
        guard utf8.contains(0x0D) else { return self }
        return replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}
