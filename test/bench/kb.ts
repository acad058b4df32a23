import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../fixtures/gguf/tiny-llama.js';
import { KnowledgeService, normalizeName } from '../../src-main/core/knowledge/index.js';
import { STARTER_DIR } from '../helpers/env.js';
import { percentile, round } from './stats.js';

/**
 * The knowledge base at hospital scale: ../shared's 14,336 disease records (a stand-in for a
 * hospital's own base; never copied into the repo) converted to our jsonl in a temp folder,
 * imported (records/s, goal ≥ 5,000), then 1,000 questions from QiZhen's templates answered in
 * knowledge mode (p50/p95 per question, goal p95 ≤ 5 ms).
 */

const SOURCE = path.resolve('..', 'shared', 'data', 'kb-dev', 'disease_39health.jsonl');
const QUESTIONS = Number(process.env.XINGLIN_BENCH_QUESTIONS ?? 1000);
const WARMUP = 20;

const DISEASE_TEMPLATES = ['{疾病}的典型症状是什么?', '哪些药物能治疗{疾病}?', '{疾病}需要做哪些检查?', '{疾病}的临床表现有哪些?'];
const DRUG_TEMPLATES = ['{药品}的适应病症', '{药品}的适应病症是什么?'];
const TEMPLATE_INTENT: Record<string, string> = {
  '{疾病}的典型症状是什么?': 'symptoms', '哪些药物能治疗{疾病}?': 'treatments', '{疾病}需要做哪些检查?': 'examinations',
  '{疾病}的临床表现有哪些?': 'symptoms', '{药品}的适应病症': 'indications', '{药品}的适应病症是什么?': 'indications',
};

interface Health39 {
  name: string;
  alias_list?: string[];
  department?: string;
  symptom_list?: string[];
  checklist_list?: string[];
  treatment_list?: string[];
  drug_list?: string[];
}

/** The site truncates long names with "..."; what is left is still the best name we have. */
const clean = (s: string): string => s.replace(/\.{3}$|…$/u, '').trim();
const list = (items: string[] | undefined): string[] => [...new Set((items ?? []).map(clean).filter((s) => s.length > 0 && s.length <= 100))];

/** 39health → FORMAT.md diseases. Repeated names (truncation makes many) get a numbered suffix: one line, one entry. */
function convert(source: string, target: string): number {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const line of fs.readFileSync(source, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Health39;
    let name = clean(r.name) || '未命名疾病';
    const n = (seen.get(normalizeName(name)) ?? 0) + 1;
    seen.set(normalizeName(name), n);
    if (n > 1) name = `${name}（${n}）`;
    out.push(JSON.stringify({
      type: 'disease',
      name,
      aliases: list(r.alias_list).filter((a) => a !== name),
      departments: list(r.department?.split(/\s+/u)),
      symptoms: list(r.symptom_list),
      examinations: list(r.checklist_list),
      treatments: list(r.treatment_list),
      otherDrugs: list(r.drug_list),
    }));
  }
  fs.writeFileSync(target, `${out.join('\n')}\n`);
  return out.length;
}


export async function benchKb(): Promise<object> {
  if (!fs.existsSync(SOURCE)) {
    return { bench: 'kb', skipped: true, note: `未找到 ${SOURCE}（../shared 的开发数据集不在此机器上），已跳过知识库基准。 / dataset missing, kb bench skipped.` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-bench-kb-'));
  try {
    const converted = path.join(dir, 'diseases.jsonl');
    const records = convert(SOURCE, converted);
    // App start: the first open imports the starter set; every later open reads the base and builds the name index.
    let started = performance.now();
    KnowledgeService.open({ file: path.join(dir, 'knowledge.db'), starterDir: STARTER_DIR }).close();
    const firstOpenMs = performance.now() - started;
    started = performance.now();
    const kb = KnowledgeService.open({ file: path.join(dir, 'knowledge.db'), starterDir: STARTER_DIR });
    const openMs = performance.now() - started;
    try {
      started = performance.now();
      const report = await kb.import({ path: converted, format: 'jsonl', dryRun: false, source: '医院知识库（基准）' });
      const importSeconds = (performance.now() - started) / 1000;
      if (!report.committed) throw new Error(`import failed: ${JSON.stringify(report.errors.slice(0, 3))}`);
      started = performance.now();
      const again = await kb.import({ path: converted, format: 'jsonl', dryRun: false, source: '医院知识库（基准）' });
      const reimportSeconds = (performance.now() - started) / 1000;

      const stats = kb.stats();
      const diseases = fs.readFileSync(converted, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { name: string }).name);
      const drugs = kb.search('药', 200).filter((h) => h.type === 'drug').map((h) => h.name);
      const next = mulberry32(20240601);
      const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
      const questions = Array.from({ length: QUESTIONS + WARMUP }, () => {
        const useDrug = drugs.length > 0 && next() < 0.2;
        const template = pick(useDrug ? DRUG_TEMPLATES : DISEASE_TEMPLATES);
        const name = useDrug ? pick(drugs) : pick(diseases);
        return { question: template.replace(/\{疾病\}|\{药品\}/u, name), name, intent: TEMPLATE_INTENT[template]! };
      });

      const samples: number[] = [];
      let resolved = 0;
      let intentRight = 0;
      questions.forEach((q, i) => {
        const t = performance.now();
        const answer = kb.ask(q.question);
        const ms = performance.now() - t;
        if (i < WARMUP) return;
        samples.push(ms);
        if (answer.entities.some((e) => e.name === q.name) || answer.choices.some((c) => c.name === q.name)) resolved += 1;
        if (answer.intents[0] === q.intent) intentRight += 1;
      });

      return {
        bench: 'kb',
        source: path.basename(SOURCE),
        records,
        starter: { firstOpenMs: Math.round(firstOpenMs), openMs: Math.round(openMs), note: 'first open imports the starter set; a later open (every app start) builds the name index' },
        base: { entries: stats.entries, byType: stats.byType, sources: stats.sources.map((s) => ({ label: s.label, entries: s.entries, facts: s.facts })) },
        import: { seconds: round(importSeconds, 2), recordsPerSecond: Math.round(report.total / importSeconds), added: report.added, goal: '≥ 5000 records/s' },
        reimport: { seconds: round(reimportSeconds, 2), recordsPerSecond: Math.round(again.total / reimportSeconds), unchanged: again.unchanged },
        ask: {
          questions: samples.length,
          p50Ms: round(percentile(samples, 50)),
          p95Ms: round(percentile(samples, 95)),
          maxMs: round(Math.max(...samples)),
          goal: 'p95 ≤ 5 ms',
          entityResolved: round(resolved / samples.length, 3),
          intentCorrect: round(intentRight / samples.length, 3),
        },
        heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
      };
    } finally {
      kb.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
