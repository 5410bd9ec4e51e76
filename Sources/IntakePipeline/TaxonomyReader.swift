import IntakeCore
import Yams

/// Reads `taxonomy.yaml` through Yams' node tree, so that every mistake can be reported at
/// its line and column, and collects all of them rather than stopping at the first.
struct TaxonomyReader {
    var yaml: YAMLFileReader

    init(file: String) {
        yaml = YAMLFileReader(file: file)
    }

    private static let topOptions = ["minimum_score", "default", "categories"]
    private static let categoryOptions = ["code", "label", "synonyms", "keywords", "department", "deadline_working_days"]

    mutating func read(_ text: String) throws(TaxonomyError) -> Taxonomy {
        guard let top = yaml.compose(text) else { throw TaxonomyError(issues: yaml.issues) }
        var minimumScore = 2
        var defaultCode: (code: String, node: Node)?
        var categories: [Taxonomy.Entry] = []
        var categoriesNode: Node?
        for (key, value) in top {
            switch key.string {
            case "minimum_score":
                minimumScore = yaml.integer(value, "minimum_score", in: 1...1000) ?? minimumScore
            case "default":
                if let code = yaml.string(value, "default") { defaultCode = (code, value) }
            case "categories":
                categoriesNode = value
                categories = readCategories(value)
            default:
                yaml.add(key, key.string ?? "", "unknown option; expected one of: \(Self.topOptions.joined(separator: ", "))")
            }
        }
        if categoriesNode == nil {
            yaml.add(nil, "categories", "missing; list the case categories")
        }
        var defaultIndex: Int?
        if let defaultCode {
            defaultIndex = categories.firstIndex { $0.code == defaultCode.code }
            if defaultIndex == nil, categoriesNode != nil {
                yaml.add(defaultCode.node, "default", "\"\(defaultCode.code)\" is not the code of any category")
            }
        } else {
            yaml.add(nil, "default", "missing; name the category used when nothing else decides, e.g. default: other")
        }
        guard yaml.issues.isEmpty, let defaultIndex else { throw TaxonomyError(issues: yaml.issues) }
        return Taxonomy(categories: categories, defaultIndex: defaultIndex, minimumScore: minimumScore)
    }

    private mutating func readCategories(_ node: Node) -> [Taxonomy.Entry] {
        guard let items = yaml.sequence(node, "categories", example: "- { code: land, label: 土地, … }") else { return [] }
        var entries: [Taxonomy.Entry] = []
        var codes: [String: Int] = [:]
        /// Normalised synonym → the category that claimed it, and where.
        var synonymOwners: [String: (code: String, line: Int?)] = [:]
        for (index, item) in items.enumerated() {
            let option = "categories[\(index)]"
            guard let entry = readCategory(item, option: option, synonymOwners: &synonymOwners) else { continue }
            if let line = codes[entry.code] {
                yaml.add(item["code"] ?? item, "\(option).code", "\"\(entry.code)\" is already the code of the category at line \(line)")
                continue
            }
            codes[entry.code] = item.mark?.line ?? 0
            entries.append(entry)
        }
        if items.isEmpty { yaml.add(node, "categories", "is empty; list at least the default category") }
        return entries
    }

    private mutating func readCategory(
        _ node: Node, option: String, synonymOwners: inout [String: (code: String, line: Int?)]
    ) -> Taxonomy.Entry? {
        guard case .mapping(let mapping) = node else {
            yaml.add(node, option, "expected a mapping with code, label and deadline_working_days")
            return nil
        }
        var code: String?
        var label: String?
        var synonyms: [String] = []
        var keywords: [Taxonomy.Keyword] = []
        var department: String?
        var deadline: Int?
        var synonymNodes: [Node] = []
        for (key, value) in mapping {
            let name = key.string ?? ""
            let path = "\(option).\(name)"
            switch name {
            case "code":
                code = yaml.string(value, path)
                if let text = code, !text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
                    yaml.add(value, path, "\"\(text)\" must be lower-case ASCII letters, digits and _, e.g. land")
                }
            case "label":
                label = yaml.string(value, path)
            case "synonyms":
                for item in yaml.sequence(value, path, example: "[土地, 用地]") ?? [] {
                    if let text = yaml.string(item, "\(path)[]") {
                        synonyms.append(text)
                        synonymNodes.append(item)
                    }
                }
            case "keywords":
                keywords = readKeywords(value, option: path)
            case "department":
                department = yaml.string(value, path)
            case "deadline_working_days":
                deadline = yaml.integer(value, path, in: 1...365)
            default:
                yaml.add(key, path, "unknown option; expected one of: \(Self.categoryOptions.joined(separator: ", "))")
            }
        }
        if code == nil, node["code"] == nil { yaml.add(node, "\(option).code", "missing; give the category a code, e.g. land") }
        if label == nil, node["label"] == nil { yaml.add(node, "\(option).label", "missing; give the category its Chinese label, e.g. 土地") }
        if deadline == nil, node["deadline_working_days"] == nil {
            yaml.add(node, "\(option).deadline_working_days", "missing; give the deadline (办结时限) in working days, e.g. 10")
        }
        for (synonym, item) in zip(synonyms, synonymNodes) {
            let key = Classifier.normalizedLabel(synonym)
            if let owner = synonymOwners[key] {
                let place = owner.line.map { " at line \($0)" } ?? ""
                yaml.add(item, "\(option).synonyms", "\"\(synonym)\" already maps to \(owner.code)\(place); a label may belong to one category only")
            } else {
                synonymOwners[key] = (code ?? option, item.mark?.line)
            }
        }
        guard let code, let label, let deadline else { return nil }
        return Taxonomy.Entry(
            code: code, label: label, synonyms: synonyms, keywords: keywords,
            department: department, deadlineWorkingDays: deadline)
    }

    private mutating func readKeywords(_ node: Node, option: String) -> [Taxonomy.Keyword] {
        guard case .mapping(let mapping) = node else {
            yaml.add(node, option, "expected a mapping of keyword: weight, e.g. { 用地指标: 3, 出让: 2 }")
            return []
        }
        var keywords: [Taxonomy.Keyword] = []
        var seen: Set<String> = []
        for (key, value) in mapping {
            guard let term = yaml.string(key, option) else { continue }
            let path = "\(option).\(term)"
            guard let weight = yaml.integer(value, path, in: 1...10) else { continue }
            guard seen.insert(KeywordIndex.fold(term)).inserted else {
                yaml.add(key, path, "listed twice in this category (after folding full-width forms and case)")
                continue
            }
            keywords.append(Taxonomy.Keyword(term: term, weight: weight))
        }
        return keywords
    }
}
