import { KB_FIELD_LABELS, type RecordWarning } from '../../../contract/index.js';
import { lookupForm } from '../../knowledge/index.js';
import { listOf } from './entry-facts.js';
import type { Allergy, DrugMention } from './reading.js';
import { denied } from './text.js';
import { cited, drugWarning } from './warning.js';

/**
 * 过敏: a planned medicine the record's allergies reach — the medicine itself, a class it belongs
 * to (头孢过敏), or a cross-allergy group (allergyClass) it shares with a medicine or a group the
 * patient is allergic to (青霉素过敏 + 阿莫西林: 青霉素类).
 */
export function allergyWarnings(planned: DrugMention[], allergies: Allergy[]): RecordWarning[] {
  const out: RecordWarning[] = [];
  for (const drug of planned) {
    const groups = listOf(drug.entry, 'allergyClass');
    const allergyContraindication = listOf(drug.entry, 'contraindications').find((c) => /过敏/u.test(c));
    for (const allergy of allergies) {
      const said = `过敏史记载“${allergy.said}”，拟用${drug.said}`;
      const itself = allergy.drugs.some((a) => a.id === drug.entry.id) || allergy.classes.some((c) => c.ids.includes(drug.entry.id));
      if (itself) {
        const cite = allergyContraindication ? { field: 'contraindications' as const, quote: allergyContraindication } : groups.length ? { field: 'allergyClass' as const, quote: groups.join('、') } : null;
        if (!cite) continue;
        out.push(drugWarning('allergy', 'error', `过敏：${said}（${cited(drug.entry, KB_FIELD_LABELS[cite.field], cite.quote)}）`, drug.entry, cite.field, cite.quote, [drug.said]));
        break;
      }
      const shared = new Set<string>();
      for (const allergen of allergy.drugs) for (const g of listOf(allergen, 'allergyClass')) if (groups.includes(g)) shared.add(g);
      for (const g of groups) if (groupNamed(allergy, g)) shared.add(g);
      if (shared.size === 0) continue;
      const quote = [...shared].join('、');
      const allergens = allergy.drugs.map((a) => a.name);
      out.push(drugWarning('allergy', 'error', `交叉过敏：${said}，同属${quote}（${cited(drug.entry, KB_FIELD_LABELS.allergyClass, groups.join('、'))}）`, drug.entry, 'allergyClass', quote, [drug.said, ...allergens]));
      break;
    }
  }
  return out;
}

/** Whether the allergy names the group itself (磺胺类药物过敏 → 磺胺类; 头孢过敏 → 头孢菌素类), not denied. */
function groupNamed(allergy: Allergy, group: string): boolean {
  const said = allergy.said;
  const stem = lookupForm(group.replace(/[（(][^（）()]*[）)]/gu, '').replace(/(?:类药物|类药|类|药)$/u, ''));
  if (stem.length < 2) return false;
  if (allergy.classes.some((c) => c.term.length >= 2 && stem.startsWith(c.term.replace(/(?:类药物|类药|类)$/u, '')))) return true;
  for (let at = said.indexOf(stem); at >= 0; at = said.indexOf(stem, at + 1)) if (!denied(said, at, at + stem.length)) return true;
  return false;
}
