/// The language of what operators and requesters read (`zone.locale`): reject and result
/// reports, quarantine reasons, visit answers' messages, acknowledgements. Machine-readable
/// parts (JSON error codes and pointers, CSV column order, metric labels) do not change with it.
public enum OperatorLocale: String, Sendable, Hashable, CaseIterable, Codable {
    case zhCN = "zh-CN"
    case en

    /// The catalogue of this locale's texts.
    public var catalogue: MessageCatalogue { MessageCatalogue(locale: self) }
}
