import Foundation
import HTTPTypes
import Hummingbird
import IntakeCore
import IntakeStore
import NIOCore

extension AdminConsole {
    /// A case's raw input and attachments, and hotline error reports: always as attachments
    /// (`application/octet-stream` for what came from outside), under a name that is safe.
    func addDownloads(to router: Router<ConsoleRequestContext>) {
        page(router, "/cases/:id/raw") { [self] _, context, viewer in
            let id = context.parameters.get("id") ?? ""
            guard let document = try database.caseDocument(id: id), let stored = try? JSONDecoder().decode(IntakeCase.self, from: Data(document.utf8)),
                let raw = try database.rawInput(sha256: stored.rawSHA256), !raw.retired
            else { return message(.notFound, "没有原始输入", "此案件的原始输入不在存储中或已按保留期限清理。", viewer: viewer, back: "/cases/\(id)") }
            let bytes = try raw.body ?? Data(contentsOf: blobs.url(for: raw.sha256))
            return Self.download(bytes, name: "\(stored.ref)-raw\(Self.fileExtension(raw.mediaType))", mediaType: "application/octet-stream")
        }
        page(router, "/cases/:id/attachments/:sha") { [self] _, context, viewer in
            let id = context.parameters.get("id") ?? ""
            let sha = context.parameters.get("sha") ?? ""
            guard let document = try database.caseDocument(id: id), let stored = try? JSONDecoder().decode(IntakeCase.self, from: Data(document.utf8)),
                let attachment = stored.attachments.first(where: { $0.sha256 == sha })
            else { return message(.notFound, "没有此附件", "此案件没有这个附件。", viewer: viewer, back: "/cases/\(id)") }
            guard let bytes = FileManager.default.contents(atPath: blobs.url(for: attachment.sha256).path) else {
                return message(.gone, "附件已清理", "附件的内容已按保留期限清理。", viewer: viewer, back: "/cases/\(id)")
            }
            return Self.download(bytes, name: attachment.name, mediaType: "application/octet-stream")
        }
    }

    /// `bytes` to be saved, never shown: `Content-Disposition: attachment` with an ASCII
    /// fallback name and the UTF-8 name (RFC 6266), both stripped of paths and controls.
    static func download(_ bytes: Data, name: String, mediaType: String) -> Response {
        let safe = safeFileName(name)
        let ascii = String(safe.unicodeScalars.map { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) ? Character($0) : "_" })
        let encoded = safe.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "._-"))) ?? ascii
        var headers = HTTPFields()
        headers[.contentType] = mediaType
        headers[.contentDisposition] = "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The last path component of `name`, without control characters, quotes or leading
    /// dots; `download` when nothing is left. At most 120 characters.
    static func safeFileName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) && !"\"*:<>?|;".unicodeScalars.contains($0) }.map(Character.init))
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        cleaned = cleaned.trimmingCharacters(in: .whitespaces)
        if cleaned.count > 120 { cleaned = String(cleaned.suffix(120)) }
        return cleaned.isEmpty ? "download" : cleaned
    }

    static func fileExtension(_ mediaType: String) -> String {
        switch mediaType.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces) }) {
        case "application/json": ".json"
        case "message/rfc822": ".eml"
        case "text/csv": ".csv"
        case "application/x-ndjson", "application/jsonl": ".jsonl"
        case "text/plain": ".txt"
        default: ".bin"
        }
    }
}
