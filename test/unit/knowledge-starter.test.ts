import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeName, readStarter } from '../../src-main/core/knowledge/index.js';
import { STARTER_DIR } from '../helpers/env.js';

/** The starter set shipped in src-main/core/knowledge/starter: it must load as it is. */
describe('knowledge: the shipped starter set', () => {
  const dir = STARTER_DIR;
  // Read as plain JSON too, so the cross-entry checks report even while one entry fails the schema.
  type Raw = { type?: string; name?: string; aliases?: string[]; drugs?: unknown[]; otherDrugs?: string[] };
  const raw: Raw[] = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Raw));
  const drugs = raw.filter((r) => r.type === 'drug');
  const diseases = raw.filter((r) => r.type === 'disease');

  it('has drugs and diseases, and every entry validates against FORMAT.md', () => {
    expect(drugs.length).toBeGreaterThan(0);
    expect(diseases.length).toBeGreaterThan(0);
    // Throws naming the file and line of the first invalid entry (or of a repeated name).
    const set = readStarter(dir);
    expect(set.entities).toHaveLength(raw.length);
    expect(set.version).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it('has no name or alias used by two entries (drugs and diseases together)', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const record of raw) {
      for (const name of new Set([record.name ?? '', ...(record.aliases ?? [])].map(normalizeName))) {
        const first = owner.get(name);
        if (first) clashes.push(`${name}：${first} / ${record.name}`);
        else owner.set(name, record.name ?? '');
      }
    }
    expect(clashes).toEqual([]);
  });

  it('has no brand shared by two drugs (a brand names one product)', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const drug of drugs as Array<Raw & { brands?: string[] }>) {
      for (const brand of new Set((drug.brands ?? []).map(normalizeName))) {
        const first = owner.get(brand);
        if (first) clashes.push(`${brand}：${first} / ${drug.name}`);
        else owner.set(brand, drug.name ?? '');
      }
    }
    expect(clashes).toEqual([]);
  });

  const vocabulary = JSON.parse(fs.readFileSync(path.join(dir, 'vocabulary.json'), 'utf8')) as { drugClasses: string[]; allergyClasses: string[]; formRoutes: Record<string, string[]> };
  type Link = string | { drug: string; routes?: string[]; when?: string; offLabel?: boolean };
  type Drug = Raw & { class?: string; category?: string; allergyClass?: string[]; controlled?: string; dosageForms?: string[]; contraindications?: string[]; specialPopulations?: Record<string, string> };
  const drugByName = new Map((drugs as Drug[]).map((d) => [normalizeName(d.name ?? ''), d]));
  const linksOf = (d: Raw): Link[] => (d.drugs ?? []) as Link[];
  const linkedDrug = (link: Link): string => (typeof link === 'string' ? link : link.drug);

  it('resolves every disease → drug reference to a drug of the set; otherDrugs are outside it', () => {
    const unresolved = diseases.flatMap((d) => linksOf(d).filter((l) => !drugByName.has(normalizeName(linkedDrug(l)))).map((l) => `${d.name} → ${linkedDrug(l)}`));
    expect(unresolved).toEqual([]);
    const misplaced = diseases.flatMap((d) => (d.otherDrugs ?? []).filter((n) => drugByName.has(normalizeName(n))).map((n) => `${d.name} → ${n}`));
    expect(misplaced).toEqual([]);
  });

  it('links a disease to a product whose route fits: a route a link names is a route of the drug\'s own dosage forms', () => {
    const misfits = diseases.flatMap((d) =>
      linksOf(d).flatMap((link) => {
        if (typeof link === 'string' || !link.routes?.length) return [];
        const routes = new Set((drugByName.get(normalizeName(link.drug))?.dosageForms ?? []).flatMap((f) => vocabulary.formRoutes[f] ?? []));
        return link.routes.every((r) => routes.has(r)) ? [] : [`${d.name} → ${link.drug}（${link.routes.join('、')}；该药剂型途径：${[...routes].join('、')}）`];
      }),
    );
    expect(misfits).toEqual([]);
  });

  it('takes each drug\'s class, allergy classes and dosage forms from the fixed vocabulary', () => {
    const classes = new Set(vocabulary.drugClasses);
    const allergy = new Set(vocabulary.allergyClasses);
    const outside = (drugs as Drug[]).flatMap((d) => [
      ...(d.class && classes.has(d.class) ? [] : [`${d.name}：药理分类“${d.class ?? ''}”`]),
      ...(d.allergyClass ?? []).filter((a) => !allergy.has(a)).map((a) => `${d.name}：过敏类别“${a}”`),
      ...(d.dosageForms ?? []).filter((f) => !(f in vocabulary.formRoutes)).map((f) => `${d.name}：剂型“${f}”`),
    ]);
    expect(outside).toEqual([]);
  });

  it('marks the control status of every opioid, benzodiazepine and sedative-hypnotic, and keeps opioids in one allergy class', () => {
    // Opioid analgesics and antitussives; peripheral agonists (洛哌丁胺), antagonists (纳洛酮) and products containing opium are not.
    const opioidClass = /阿片类|阿片受体(?:混合)?激动/u;
    const notOpioid = /外周|含阿片/u;
    // Sedative-hypnotics too (the Z-drugs, barbiturates); antagonists (氟马西尼, 纳洛酮) are not controlled.
    const sedative = /苯二氮䓬类|镇静催眠药|巴比妥类/u;
    const unmarked = (drugs as Drug[])
      .filter((d) => (d.allergyClass ?? []).some((a) => a === '阿片类' || a === '苯二氮䓬类') || (sedative.test(d.class ?? '') && !/拮抗剂/u.test(d.class ?? '')))
      .filter((d) => !d.controlled)
      .map((d) => d.name);
    expect(unmarked).toEqual([]);
    const opioidsWithoutClass = (drugs as Drug[]).filter((d) => d.category !== '中成药' && opioidClass.test(d.class ?? '') && !notOpioid.test(d.class ?? '') && !(d.allergyClass ?? []).includes('阿片类')).map((d) => d.name);
    expect(opioidsWithoutClass).toEqual([]);
  });

  it('states every 禁用 of a special population among the contraindications too', () => {
    const who: Record<string, RegExp> = { 孕妇: /孕|妊娠|女性/u, 哺乳期: /哺乳/u, 儿童: /儿童|小儿|婴|幼|新生儿|岁/u, 老年人: /老年/u, 肝功能不全: /肝/u, 肾功能不全: /肾|肌酐|透析|eGFR|尿/u };
    const missing = (drugs as Drug[]).flatMap((d) =>
      Object.entries(d.specialPopulations ?? {})
        .filter(([, sentence]) => /禁用|禁止使用|禁服/u.test(sentence) && !/(?:非|不)必禁用|无需禁用|不禁用/u.test(sentence))
        .filter(([group]) => !(d.contraindications ?? []).some((c) => who[group]!.test(c)))
        .map(([group]) => `${d.name}：${group}`),
    );
    expect(missing).toEqual([]);
  });

  it('covers the national essential medicines list (2018) as recalled in test/fixtures/eml-2018', () => {
    const eml = path.join(__dirname, '..', 'fixtures', 'eml-2018');
    const rows = fs.readdirSync(eml).filter((f) => f.endsWith('.tsv')).flatMap((f) =>
      fs.readFileSync(path.join(eml, f), 'utf8').split('\n').slice(1).filter((l) => l.trim()).map((l) => ({ file: f, cells: l.split('\t') })),
    );
    const uncovered = rows.filter(({ cells }) => !drugByName.has(normalizeName(cells[2] ?? ''))).map(({ file, cells }) => `${file}：${cells.join(' / ')}`);
    expect(uncovered).toEqual([]);
    const chemical = new Set(rows.filter((r) => r.file !== 'cpm.tsv').map((r) => r.cells[0]));
    const patent = new Set(rows.filter((r) => r.file === 'cpm.tsv').map((r) => r.cells[2]));
    console.info(`starter: ${drugs.length} drugs (${(drugs as Drug[]).filter((d) => d.category === '中成药').length} Chinese patent medicines), ${diseases.length} diseases; essential list rows covered: ${chemical.size} chemical/biological, ${patent.size} Chinese patent medicines`);
    expect(patent.size).toBeGreaterThanOrEqual(150);
    expect(diseases.length).toBeGreaterThanOrEqual(500);
  });
});
