import terms from './disease-terms.json' with { type: 'json' };

/**
 * Whether a 症状 item is a disease (高血压, 冠心病) rather than a symptom (胸痛): the findings
 * vocabulary files both as 症状, as MIE's ontology does, but a record writes a disease reported by
 * the patient in 既往史 and one asserted by the doctor in 初步诊断. The list is data (disease-terms.json).
 */
const listed = new Set(terms.terms);

export function isDiseaseTerm(item: string): boolean {
  return listed.has(item) || terms.suffixes.some((suffix) => item.endsWith(suffix));
}
