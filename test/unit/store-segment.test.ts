import { describe, expect, it } from 'vitest';
import { MARK_END, MARK_START } from '../../src-main/contract/index.js';
import { ftsQuery, indexColumns, makeSnippet, queryPieces, segment } from '../../src-main/core/db/index.js';

const strip = (s: string): string => s.replaceAll(MARK_START, '').replaceAll(MARK_END, '');
const marked = (s: string): string[] => [...s.matchAll(/\u0001([^\u0002]*)\u0002/gu)].map((m) => m[1]!);

describe('store segmentation', () => {
  it('indexes CJK runs as unigrams and overlapping bigrams, and Latin words lowercased', () => {
    const { uni, bi } = indexColumns('考虑痛风。Uric Acid');
    expect(uni).toBe('考 虑 痛 风');
    expect(bi.split(' ')).toEqual(['考虑', '虑痛', '痛风', '\uE000', 'uric', 'acid']);
  });

  it('folds full width, case and diacritics the same way for text and query', () => {
    expect(segment('ＣＯＶＩＤ－１９ Café').map((u) => u.norm)).toEqual(['covid', '19', 'cafe']);
    expect(queryPieces('covid 19 CAFÉ')).toEqual([
      { kind: 'word', norm: 'covid' },
      { kind: 'word', norm: '19' },
      { kind: 'word', norm: 'cafe' },
    ]);
  });

  it('turns a two-character term into one bigram, longer terms into a phrase, one character into a unigram', () => {
    expect(ftsQuery(queryPieces('痛风'))).toBe('bi : "痛风"');
    expect(ftsQuery(queryPieces('痛风急性'))).toBe('bi : "痛风 风急 急性"');
    expect(ftsQuery(queryPieces('痛'))).toBe('uni : "痛"');
    expect(ftsQuery(queryPieces('头晕 Aspirin 头晕'))).toBe('bi : "头晕" AND bi : "aspirin"');
  });

  it('leaves no FTS syntax in a hostile query', () => {
    for (const q of ['"', '*', 'NEAR(', 'a OR', '-', "')--", '😀', '""痛风"" OR *', '{bi}: x', '^a', 'a:b', '\u0000', '\uE000']) {
      const match = ftsQuery(queryPieces(q));
      if (match === null) continue;
      // Only quoted phrases of letters and digits, joined by AND, each bound to a column.
      expect(match).toMatch(/^(?:(?:uni|bi) : "[\p{L}\p{N} ]+")(?: AND (?:uni|bi) : "[\p{L}\p{N} ]+")*$/u);
    }
    expect(ftsQuery(queryPieces('"*-)( 😀'))).toBeNull();
  });

  it('keeps a CJK run whole across an ideographic variation selector', () => {
    expect(segment('葛\u{E0100}城').map((u) => u.run)).toEqual([1, 1]);
  });
});

describe('store snippets', () => {
  const long = '主诉：反复头晕两年。现病史：'.repeat(4) + '患者三天前出现左足第一跖趾关节红肿，考虑痛风急性发作。' + '既往体健，无药物过敏史。'.repeat(4);

  it('marks the matched term in the original text, about 60 characters around it, with ellipses', () => {
    const snippet = makeSnippet(long, queryPieces('痛风'));
    expect(marked(snippet)).toEqual(['痛风']);
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    const body = strip(snippet).slice(1, -1);
    expect(long).toContain(body);
    expect(Array.from(body).length).toBe(60);
  });

  it('marks every piece of a multi-term query and Latin words in their original case', () => {
    const text = 'Uric acid 升高，考虑痛风；URIC 复查。';
    const snippet = makeSnippet(text, queryPieces('uric 痛风'));
    expect(marked(snippet)).toEqual(['Uric', '痛风', 'URIC']);
    expect(strip(snippet)).toBe(text);
  });

  it('never emits a mark it did not place and flattens line breaks', () => {
    const snippet = makeSnippet('第一行\u0001\n\n第二行 头晕', queryPieces('头晕'));
    expect(snippet).toBe('第一行 第二行 \u0001头晕\u0002');
  });

  it('does not split a surrogate pair at a cut', () => {
    const text = '😀'.repeat(40) + '头晕' + '😀'.repeat(40);
    const snippet = strip(makeSnippet(text, queryPieces('头晕')));
    expect(snippet).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u);
  });
});
