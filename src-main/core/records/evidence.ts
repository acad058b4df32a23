/**
 * The turns a sentence the model wrote rests on, found here rather than taken from the model: the
 * findings whose terms the sentence names, and failing those, turns that say the same words (a run
 * of at least four characters). A sentence with neither is unsupported and counted before signing.
 */
import type { Finding, Turn } from '../../contract/index.js';
import { readTurn } from './findings/mentions.js';
import { lookupForm, type Vocabulary } from './findings/vocabulary.js';

const SAME_WORDS = 4;

export function linkEvidence(sentence: string, findings: readonly Finding[], turns: readonly Turn[], vocabulary: Vocabulary): number[] {
  const named = new Set(readTurn({ index: 0, speaker: '医生', text: sentence }, vocabulary).mentions.map((m) => `${m.entry.category}\u0000${m.entry.term}`));
  const evidence = new Set(findings.filter((f) => named.has(`${f.category}\u0000${f.item}`)).flatMap((f) => f.evidence));
  if (evidence.size === 0) {
    const words = lookupForm(sentence).replace(/[^\p{L}\p{N}]/gu, '');
    for (const turn of turns) if (sharesRun(words, lookupForm(turn.text).replace(/[^\p{L}\p{N}]/gu, ''))) evidence.add(turn.index);
  }
  return [...evidence].sort((a, b) => a - b);
}

function sharesRun(a: string, b: string): boolean {
  for (let i = 0; i + SAME_WORDS <= a.length; i++) if (b.includes(a.slice(i, i + SAME_WORDS))) return true;
  return false;
}
