import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodNames, methods, type MethodName } from '../../src-main/contract/index.js';
import { dataSnapshot } from '../helpers/data-snapshot.js';
import { answerOf } from '../helpers/env.js';
import { openWebCore, type WebCore } from '../helpers/web-client.js';

/**
 * Every contract method with generated invalid payloads (fast-check), over the real web host:
 * arbitrary JSON, wrong types, extra keys, huge strings, numbers out of range. Each is a 400
 * INVALID_INPUT in Chinese — never a 500, never a crash — and the data folder is unchanged. A new
 * method is covered as soon as it is in the contract. Reproduce a failure with the seed it prints:
 * XINGLIN_FUZZ_SEED=<seed> (and XINGLIN_FUZZ_RUNS=<n> for a longer hunt).
 */
const SEED = Number(process.env.XINGLIN_FUZZ_SEED ?? 909_2025);
/** Per method: modest, so the file runs in seconds on a busy two-core machine. */
const RUNS = Number(process.env.XINGLIN_FUZZ_RUNS ?? 25);

const huge = fc.tuple(fc.constantFrom('x', '痛', '\u200B', '<', '"', '\\'), fc.integer({ min: 10_000, max: 300_000 })).map(([c, n]) => c.repeat(n));
const outOfRange = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 1.5, 65, 101, 201, 1001, 8193, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  huge,
  outOfRange,
  fc.boolean(),
  fc.constant(null),
);

/** The keys a method's input schema knows: a generator fills them with anything, then adds others. */
function keysOf(method: MethodName): string[] {
  return Object.keys((methods[method].input as unknown as { shape: Record<string, unknown> }).shape);
}

/** Payloads the method's schema refuses (a valid one would be a real call, not this test's business). */
function invalidPayloads(method: MethodName): fc.Arbitrary<unknown> {
  const known = Object.fromEntries(keysOf(method).map((key) => [key, anyValue]));
  const withKnownKeys = fc.record(known, { requiredKeys: [] });
  const extraKeys = fc.dictionary(fc.string({ minLength: 1, maxLength: 30 }), anyValue, { minKeys: 1, maxKeys: 4 });
  return fc
    .oneof(fc.jsonValue({ maxDepth: 4 }), withKnownKeys, fc.tuple(withKnownKeys, extraKeys).map(([a, b]) => ({ ...b, ...a })), huge, outOfRange)
    .filter((payload) => !methods[method].input.safeParse(payload ?? {}).success);
}

describe('corpus: every contract method with generated invalid payloads', () => {
  let web: WebCore;

  beforeAll(async () => {
    console.log(`contract fuzz: seed ${SEED}, ${RUNS} runs per method (XINGLIN_FUZZ_SEED / XINGLIN_FUZZ_RUNS)`);
    web = await openWebCore();
    // Something to lose: a session with a question and its answer.
    const session = await web.core.api.sessions.create({ title: '已有会话' });
    const { assistantMessageId } = await web.core.api.chat.send({ sessionId: session.id, text: '痛风急性发作怎么处理？' });
    await answerOf(web.core, assistantMessageId);
  });
  afterAll(() => web?.close());

  it.each(methodNames)('%s: every invalid payload is a 400 INVALID_INPUT, nothing changes', async (method) => {
    const before = await dataSnapshot(web.core);
    await fc.assert(
      fc.asyncProperty(invalidPayloads(method), async (payload) => {
        const res = await web.invoke(method, payload);
        expect(res.status).toBe(400);
        expect(res.reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^(请求参数无效|请求体过大)/) } });
        // The refusal names fields and limits, never the payload itself.
        expect(res.raw.length).toBeLessThan(4000);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(await dataSnapshot(web.core)).toEqual(before);
    expect((await web.invoke('app.info', {})).status).toBe(200);
  });
});
