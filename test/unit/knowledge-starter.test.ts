import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultStarterDir, normalizeName, readStarter } from '../../src-main/core/knowledge/index.js';

/** The starter set shipped in src-main/core/knowledge/starter: it must load as it is. */
describe('knowledge: the shipped starter set', () => {
  const dir = defaultStarterDir();
  // Read as plain JSON too, so the cross-entry checks report even while one entry fails the schema.
  type Raw = { type?: string; name?: string; aliases?: string[]; drugs?: string[]; otherDrugs?: string[] };
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

  it('resolves every disease → drug reference to a drug of the set; otherDrugs are outside it', () => {
    const drugNames = new Set(drugs.map((d) => normalizeName(d.name ?? '')));
    const unresolved = diseases.flatMap((d) => (d.drugs ?? []).filter((n) => !drugNames.has(normalizeName(n))).map((n) => `${d.name} → ${n}`));
    expect(unresolved).toEqual([]);
    const misplaced = diseases.flatMap((d) => (d.otherDrugs ?? []).filter((n) => drugNames.has(normalizeName(n))).map((n) => `${d.name} → ${n}`));
    expect(misplaced).toEqual([]);
  });
});
