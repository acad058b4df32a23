/**
 * Name normalisation. One drug reaches us as 利伐沙班, 利伐沙班片, 盐酸二甲双胍缓释片 or
 * 注射用头孢曲松钠; linking and matching compare generic keys with the dosage form and the salt
 * removed, the way a pharmacist reads a package name.
 */

/** Longest first, so 缓释片 wins over 片. */
export const DOSAGE_FORMS: readonly string[] = [
  '口腔崩解片', '吸入粉雾剂', '缓释胶囊', '控释胶囊', '肠溶胶囊', '口服溶液', '干混悬剂', '薄膜衣片', '鼻喷雾剂',
  '缓释片', '控释片', '肠溶片', '分散片', '泡腾片', '咀嚼片', '口崩片', '舌下片', '糖衣片', '软胶囊', '硬胶囊',
  '注射液', '注射剂', '滴眼液', '滴耳液', '滴鼻液', '喷雾剂', '气雾剂', '吸入剂', '混悬液', '口服液', '冻干粉', '粉针剂',
  '胶囊', '颗粒', '糖浆', '乳膏', '软膏', '凝胶', '贴剂', '眼膏', '栓剂', '输液', '搽剂', '洗剂', '溶液', '丸剂',
  '片', '丸', '栓', '散', '酊',
].sort((a, b) => b.length - a.length);

const SALT_PREFIXES: readonly string[] = [
  '葡萄糖酸', '门冬氨酸', '二盐酸', '甲磺酸', '苯磺酸', '氢溴酸', '马来酸', '富马酸', '琥珀酸', '枸橼酸', '酒石酸',
  '盐酸', '硫酸', '磷酸', '醋酸', '乳酸',
].sort((a, b) => b.length - a.length);

const SALT_SUFFIXES = ['钠', '钾', '钙', '镁', '锌'];

const METAL_IONS = ['亚铁', '铁', '钠', '钾', '钙', '镁', '锌', '锂', '铝', '铋'];

const INJECTION_PREFIX = '注射用';

/** A Latin letter or digit of lookup-form text: Latin names start and end on word boundaries. */
export const isLatin = (char: string | undefined): boolean => char !== undefined && /[a-z0-9]/.test(char);

/** NFKC (full-width → ordinary), lowercase, no spaces or middle dots: the form every lookup uses. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s\u00b7\u30fb]/gu, '');
}

/**
 * The form names are compared in: normalised, and written variants of one term made one
 * (综合症 → 综合征). Same length as the input, so offsets into the question stay valid.
 */
export function lookupForm(name: string): string {
  return normalizeName(name.replace(LATIN_GAP, '_')).replace(/综合症/gu, '综合征');
}

/** The space between two Latin words is kept (as "_"), so "Amphotericin B" is not "amphotericinb". */
const LATIN_GAP = /(?<=[\p{Script=Latin}\d])\s+(?=[\p{Script=Latin}\d])/gu;

/** Length of a salt or 注射用 written before a drug name that starts at `at` (盐酸|二甲双胍), or 0. */
export function drugPrefixBefore(text: string, at: number): number {
  const before = text.slice(0, at);
  return [INJECTION_PREFIX, ...SALT_PREFIXES].find((prefix) => before.endsWith(prefix))?.length ?? 0;
}

/** Length of a salt and dosage form written after the drug `name` that ends at `at` (头孢曲松|钠|片), or 0. */
export function drugSuffixAt(text: string, at: number, name: string): number {
  const salt = SALT_SUFFIXES.includes(text[at] ?? '') && takesSaltSuffix(name) ? 1 : 0;
  return salt + dosageSuffixAt(text, at + salt);
}

/** A salt suffix (钠, 钾 …) belongs to a name of three characters or more that is not itself a salt (氯化, 碳酸氢, 锂盐). */
function takesSaltSuffix(name: string): boolean {
  return name.length >= 3 && !/[化氢盐]$/u.test(name);
}

/** The dosage form a package name ends with (片, 缓释片 …), or null. */
export function dosageFormOf(name: string): string | null {
  const n = normalizeName(name).replace(/[(（][^()（）]*[)）]$/u, '');
  if (n.startsWith(INJECTION_PREFIX)) return '注射剂';
  return DOSAGE_FORMS.find((form) => n.endsWith(form) && n.length - form.length >= 2) ?? null;
}

/** The name without its dosage form or a trailing strength "(0.25g)": what FORMAT.md calls the generic name. */
export function stripDosageForm(name: string): string {
  let n = name.trim().replace(/\s*[(（][^()（）]*[)）]$/u, '');
  if (n.startsWith(INJECTION_PREFIX) && n.length - INJECTION_PREFIX.length >= 2) n = n.slice(INJECTION_PREFIX.length);
  const form = DOSAGE_FORMS.find((f) => n.endsWith(f) && n.length - f.length >= 2);
  return form ? n.slice(0, -form.length) : n;
}

/**
 * The key that links one drug across sources: normalised, dosage form and salt removed. A salt
 * is kept where removing it would leave an incomplete name (氯化钾, 碳酸钙, 碳酸氢钠, 硫酸镁).
 */
export function drugKey(name: string): string {
  let n = normalizeName(stripDosageForm(normalizeName(name)));
  // 硫酸亚铁 and 琥珀酸亚铁 are different drugs: where the rest is a bare metal ion, the salt is the drug.
  const prefix = SALT_PREFIXES.find((p) => n.startsWith(p) && n.length - p.length >= 2 && !METAL_IONS.includes(n.slice(p.length)));
  if (prefix) n = n.slice(prefix.length);
  const rest = n.slice(0, -1);
  if (SALT_SUFFIXES.includes(n.slice(-1)) && takesSaltSuffix(rest) && !SALT_PREFIXES.includes(rest)) n = rest;
  return n;
}

export function entityKey(type: 'drug' | 'disease', name: string): string {
  return type === 'drug' ? drugKey(name) : normalizeName(name);
}

/** Length of a dosage-form suffix starting at `at` in normalised text (利伐沙班|片), or 0. */
export function dosageSuffixAt(text: string, at: number): number {
  return DOSAGE_FORMS.find((form) => text.startsWith(form, at))?.length ?? 0;
}
