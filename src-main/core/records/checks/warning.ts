import type { KbEntry, KbField, RecordWarning, WarningKind } from '../../../contract/index.js';

/** A drug warning: about the plan, resting on one entry's field and its words. */
export function drugWarning(kind: WarningKind, severity: RecordWarning['severity'], message: string, entry: KbEntry, field: KbField, quote: string, drugs: string[]): RecordWarning {
  return { kind, severity, message, entry: { id: entry.id, type: entry.type, name: entry.name }, field, quote, section: 'plan', drugs: [...new Set(drugs)] };
}

/** How a message names an entry's statement: 知识库“阿莫西林”禁忌：青霉素类药物过敏史. */
export function cited(entry: KbEntry, label: string, quote: string): string {
  return `知识库“${entry.name}”${label}：${quote}`;
}
