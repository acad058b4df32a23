import { describe, expect, it } from 'vitest';
import { criteriaScores, evalRunOf, evalTargetOf, rateOf } from '../../state/test-api.js';
import { chartSeries } from './chart-series.js';

const target = (label: string, any: number, n: number) => evalTargetOf({ label, auto: criteriaScores(any, n) });

describe('chartSeries', () => {
  it('puts each target label on one line across the runs of a set, oldest first, with gaps where a run did not ask it', () => {
    const runs = [
      evalRunOf('r3', { createdAt: 30, state: 'interrupted', targets: [target('知识库模式', 1, 4), target('新适配器', 2, 4)] }),
      evalRunOf('r1', { createdAt: 10, state: 'done', targets: [target('知识库模式', 3, 4)] }),
      evalRunOf('r2', { createdAt: 20, state: 'done', targets: [target('旧适配器', 2, 3), target('知识库模式', 0, 0)] }),
    ];
    const series = chartSeries(runs, 'r2');
    expect(series.runs).toEqual([
      { id: 'r1', createdAt: 10, partial: false, current: false },
      { id: 'r2', createdAt: 20, partial: false, current: true },
      { id: 'r3', createdAt: 30, partial: true, current: false },
    ]);
    expect(series.lines).toEqual([
      { label: '知识库模式', values: [75, null, 25] }, // nothing scored in r2: no point, not 0 %
      { label: '旧适配器', values: [null, 66.7, null] },
      { label: '新适配器', values: [null, null, 50] },
    ]);
  });

  it('plots a choice set’s accuracy', () => {
    const exam = evalRunOf('e1', { format: 'choice', state: 'done', targets: [evalTargetOf({ label: '配置 a', auto: { any: null, half: null, twoThirds: null, correct: rateOf(4, 5) } })] });
    expect(chartSeries([exam], 'e1').lines).toEqual([{ label: '配置 a', values: [80] }]);
  });
});
