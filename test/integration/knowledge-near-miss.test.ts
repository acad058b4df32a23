import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drugKey, KnowledgeService, lookupForm, normalizeName, readStarter, readSynonyms, stripDosageForm } from '../../src-main/core/knowledge/index.js';
import { STARTER_DIR } from '../helpers/env.js';

/**
 * The rule above all, checked over the whole shipped starter base: a name one character off a
 * name of the base, or a name of the base inside a longer unknown name, is never answered (no
 * entry is cited for it) and the name it is close to is offered among the choices; every real
 * name, alias and brand — with its dosage form and salt — answers about its own entry.
 */

interface Named {
  id: string;
  type: 'drug' | 'disease';
  name: string;
  names: string[];
}

let kb: KnowledgeService;
let named: Named[];
/** Every name of the base as the index compares them (normalised, and as generic keys). */
let known: Set<string>;

const han = (text: string): boolean => /^\p{Script=Han}+$/u.test(text);
const question = (entry: Named, name: string): string => (entry.type === 'drug' ? `${name}的适应症是什么？` : `${name}有哪些症状？`);

/** A deterministic sequence of characters from the base's own names (no randomness between runs). */
function* characters(alphabet: string[]): Generator<string> {
  for (let i = 0; ; i += 7919) yield alphabet[i % alphabet.length]!;
}

/** A name followed by the first character of a question word reads as the question (高尿酸血症|状 → 症状). */
const QUESTION_WORD = /^(?:症状|表现|检查|禁忌|用法|用量|作用|治疗|能治)$/u;

/** The words that hold a question together (的, 和, 吗 …), not name characters: never inserted. */
const SHAPE = new Set('的了吗呢吧啊呀嘛和与跟及或是在还也都就吃喝用看挂查做后时我你您有能会要伴、');

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-near-'));
  kb = KnowledgeService.open({ file: path.join(dir, 'knowledge.db'), starterDir: STARTER_DIR });
  named = readStarter(STARTER_DIR).entities.map(({ record }) => {
    const id = kb.search(record.name)[0]!.id;
    const names = [record.name, ...record.aliases, ...('brands' in record ? record.brands : [])];
    return { id, type: record.type, name: record.name, names };
  });
  // The synonym table names entries too (心房纤颤 is 心房颤动): a variant that is a synonym is a name.
  const synonyms = readSynonyms(path.join(STARTER_DIR, 'synonyms.tsv')).map((s) => s.term);
  known = new Set([...named.flatMap((e) => e.names), ...synonyms].flatMap((n) => [normalizeName(n), lookupForm(n), drugKey(n)]));
});
afterAll(() => kb.close());

/** Whether a variant is itself a name of the base, written with a dosage form or salt. */
const isName = (variant: string): boolean => [normalizeName(variant), lookupForm(variant), drugKey(variant), normalizeName(stripDosageForm(variant))].some((form) => known.has(form));

function nearMisses(): Array<{ entry: Named; original: string; variant: string; how: string }> {
  const alphabet = [...new Set(named.flatMap((e) => e.names.filter(han).flatMap((n) => [...n])))].filter((c) => !SHAPE.has(c)).sort();
  const next = characters(alphabet);
  const cases: Array<{ entry: Named; original: string; variant: string; how: string }> = [];
  for (const entry of named) {
    for (const original of entry.names.filter((n) => han(n) && n.length >= 2)) {
      const chars = [...original];
      const variants: Array<[string, string]> = [];
      for (let i = 0; i < chars.length; i++) {
        variants.push([[...chars.slice(0, i), next.next().value!, ...chars.slice(i + 1)].join(''), 'substitution']);
        if (chars.length >= 3) variants.push([[...chars.slice(0, i), ...chars.slice(i + 1)].join(''), 'deletion']);
        variants.push([[...chars.slice(0, i), next.next().value!, ...chars.slice(i)].join(''), 'insertion']);
      }
      // The name inside a longer unknown name: 福尔可定 holds the brand 可定.
      variants.push([`${next.next().value!}${next.next().value!}${original}`, 'inside a longer name']);
      variants.push([`${original}${next.next().value!}`, 'followed by more name']);
      for (const [variant, how] of variants) if (variant !== original && !isName(variant) && !QUESTION_WORD.test(variant.slice(-2))) cases.push({ entry, original, variant, how });
    }
  }
  return cases;
}

describe('knowledge: near-miss names over the whole starter base', () => {
  it('never answers a near-miss name, and offers the name it is close to', () => {
    const cases = nearMisses();
    const grounded: string[] = [];
    const notOffered: string[] = [];
    for (const { entry, original, variant, how } of cases) {
      const result = kb.ask(question(entry, variant));
      if (result.grounded || result.citations.length > 0) grounded.push(`${variant} (${how} of ${original}) → ${result.entities.map((e) => e.name).join('、')}`);
      if (!result.choices.some((c) => c.id === entry.id)) notOffered.push(`${variant} (${how} of ${original})`);
    }
    const offered = ((cases.length - notOffered.length) / cases.length) * 100;
    console.log(JSON.stringify({ nearMiss: { cases: cases.length, grounded: grounded.length, originalOfferedPercent: Number(offered.toFixed(2)) } }));
    expect(cases.length).toBeGreaterThan(5000);
    expect(grounded.slice(0, 20)).toEqual([]);
    // A two-character brand one character off, where the changed character is a question word
    // (泰能 written 柠能: 能 ends the mention), is not offered: reading such a pair as a name would
    // offer junk for every ordinary word (药吗 → 药疹). At most 0.1 % of cases.
    expect(notOffered.length, notOffered.slice(0, 20).join("\n")).toBeLessThanOrEqual(cases.length / 1000);
  });

  it('answers every real name, alias and brand about its own entry, with and without dosage form and salt', () => {
    const wrong: string[] = [];
    for (const entry of named) {
      for (const name of entry.names) {
        // A salt is written only before a name that has none (盐酸克林霉素磷酸酯 is no drug's name).
        const salted = /盐酸|硫酸|磷酸|酯|[钠钾钙镁锌]$/u.test(name) ? [] : [`盐酸${name}`, `注射用${name}`];
        const written = [name, ...(entry.type === 'drug' && han(name) ? [`${name}片`, ...salted] : [])];
        for (const form of written) {
          const result = kb.ask(question(entry, form));
          const own = result.entities.some((e) => e.id === entry.id) || result.choices.some((c) => c.id === entry.id && c.reason === 'ambiguous');
          const other = result.entities.some((e) => e.id !== entry.id);
          if (!own || other) wrong.push(`${form} → ${result.entities.map((e) => e.name).join('、') || '∅'} ${result.choices.map((c) => `?${c.name}`).join('')}`);
        }
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});
