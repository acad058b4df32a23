import type { Sampling } from '../../src-main/contract/index.js';
import { defaultSampling } from '../../src-main/core/config.js';
import { planLoad, RuntimeClient, type ChatTurn, type GenerateResult } from '../../src-main/core/llm/index.js';
import type { RuntimeVariant } from '../../src-main/core/llm/runtime/variant.js';
import { silentLog } from '../../src-main/core/log.js';
import { spawnTestRuntime } from '../helpers/env.js';
import { grounding } from './grounding.js';
import { appThreads, benchFixtures } from './models.js';
import { median, round } from './stats.js';

/**
 * Time to first token of a follow-up question in a long session (issue 11: about 2,000 tokens of
 * history and grounding, on the 170 MB model), in the real model process:
 * - warm: the session's context, whose sequence still holds the previous turn — only the new turn
 *   (this question's sources and the question) is read;
 * - cold: the same request on a new context (created, then the whole prompt read), as after the
 *   context was dropped. Each cold round asks for a context size not used before.
 * Rounds alternate which of the two goes first.
 */

const ROUNDS = Number(process.env.XINGLIN_BENCH_ROUNDS ?? 5);
const CONTEXT_SIZE = 4096;
/** History and grounding (system text, the turns so far, this question's sources). */
const TARGET_PROMPT_TOKENS = 2000;
const signal = new AbortController().signal;
const greedy = (maxTokens: number): Sampling => ({ ...defaultSampling, temperature: 0, maxTokens });

const TURNS: Array<[string, string]> = [
  ['患者男，58岁，高血压十年，近一周头痛头晕，血压 170/100 mmHg，目前服用氨氯地平，应如何调整？', '可在氨氯地平基础上加用血管紧张素转换酶抑制剂或血管紧张素受体拮抗剂，监测血压、肾功能和血钾，两到四周复诊评估疗效。'],
  ['他同时有糖尿病，空腹血糖 8.9 mmol/L，二甲双胍每日两次，每次 0.5 克，需要加药吗？', '可先将二甲双胍加量至每次 1 克，每日两次，配合饮食和运动；三个月后复查糖化血红蛋白，未达标再考虑联合用药。'],
  ['患者诉夜间咳嗽，干咳为主，无发热，与用药有关吗？', '若已加用 ACEI 类药物，干咳是常见不良反应，可换用 ARB 类药物，观察两周症状是否缓解。'],
  ['肾功能检查肌酐 132 μmol/L，估算肾小球滤过率约 50，用药需要注意什么？', '二甲双胍在此肾功能下可继续使用但需减量并定期复查；避免肾毒性药物，ARB 使用后一到两周复查肌酐和血钾。'],
  ['患者还想服用布洛芬止痛，可以吗？', '不建议长期使用非甾体抗炎药，会升高血压并损伤肾功能；短期头痛可用对乙酰氨基酚，每次不超过 0.5 克。'],
  ['饮食方面有什么建议？', '低盐饮食，每日食盐少于 5 克；控制总热量，减少精制糖和饱和脂肪，多吃蔬菜和全谷物，戒烟限酒，规律运动。'],
];

function history(pairs: number): ChatTurn[] {
  return Array.from({ length: pairs }, (_, i) => TURNS[i % TURNS.length]!).flatMap(([q, a]): ChatTurn[] => [{ role: 'user', text: q }, { role: 'assistant', text: a }]);
}

export async function benchWarm(workDir: string) {
  const { paths } = benchFixtures(workDir, 'large-4k');
  const threads = await appThreads();
  const client = new RuntimeClient({ spawn: spawnTestRuntime(), log: silentLog, gpu: false, threads, contextSize: CONTEXT_SIZE });
  const followUp = '那么这位患者下一次复诊时需要复查哪些项目？';
  const { system, sources } = await grounding(followUp);
  const variant = (contextSize: number): RuntimeVariant => ({ adapters: [], template: { kind: 'auto' }, contextSize });

  async function ask(turns: ChatTurn[], prompt: string, contextSize: number, maxTokens: number): Promise<{ firstTokenMs: number; result: GenerateResult }> {
    const started = performance.now();
    let first = 0;
    const result = await client.generate({ history: turns, prompt, system, sources, sampling: greedy(maxTokens), variant: variant(contextSize), onText: () => (first ||= performance.now()) });
    return { firstTokenMs: first - started, result };
  }

  const samples = { warm: [] as number[], cold: [] as number[] };
  const tokens = { prompt: new Set<number>(), warmReused: [] as number[], coldReused: [] as number[] };
  try {
    await client.load(await planLoad(paths.model, [], { signal }), { contextSize: CONTEXT_SIZE });
    // As many turns as make the session's prompt about TARGET_PROMPT_TOKENS long.
    const perPair = ((await ask(history(4), followUp, CONTEXT_SIZE, 1)).result.timings.promptTokens - (await ask(history(2), followUp, CONTEXT_SIZE, 1)).result.timings.promptTokens) / 2;
    const fixed = (await ask(history(0), followUp, CONTEXT_SIZE, 1)).result.timings.promptTokens;
    // One pair fewer: the turn answered just before the follow-up adds about one.
    const pairs = Math.max(1, Math.round((TARGET_PROMPT_TOKENS - fixed) / perPair) - 1);
    const session = history(pairs);

    for (let r = 0; r < ROUNDS; r++) {
      const question = TURNS[r % TURNS.length]![0];
      // The previous turn, answered in the session's context: it now holds the whole session.
      const previous = await ask(session, question, CONTEXT_SIZE, 16);
      const turns: ChatTurn[] = [...session, { role: 'user', text: question }, { role: 'assistant', text: previous.result.text }];
      const warm = () => ask(turns, followUp, CONTEXT_SIZE, 8);
      // A context size not used before: a new context, nothing reused.
      const cold = () => ask(turns, followUp, CONTEXT_SIZE - 16 * (r + 1), 8);
      for (const which of r % 2 === 0 ? (['warm', 'cold'] as const) : (['cold', 'warm'] as const)) {
        if (which === 'cold') {
          // On another context: the session's own context keeps its tokens for the warm request.
          const run = await cold();
          samples.cold.push(run.firstTokenMs);
          tokens.coldReused.push(run.result.reusedTokens ?? 0);
          tokens.prompt.add(run.result.timings.promptTokens);
        } else {
          const run = await warm();
          samples.warm.push(run.firstTokenMs);
          tokens.warmReused.push(run.result.reusedTokens ?? 0);
          tokens.prompt.add(run.result.timings.promptTokens);
        }
      }
    }
  } finally {
    await client.close();
  }
  const ms = (values: number[]) => ({ median: round(median(values), 0), samples: values.map((v) => round(v, 0)) });
  return {
    bench: 'warm',
    model: 'large-4k',
    threads,
    rounds: ROUNDS,
    promptTokens: [...tokens.prompt],
    reusedTokens: { warm: tokens.warmReused, cold: tokens.coldReused },
    coldFirstTokenMs: ms(samples.cold),
    warmFirstTokenMs: ms(samples.warm),
    coldOverWarm: round(median(samples.cold) / median(samples.warm), 2),
  };
}
