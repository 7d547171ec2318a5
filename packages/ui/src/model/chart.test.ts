import { describe, expect, it } from 'vitest';
import { buildChartData, chartSummary, hasPoints } from './chart';

describe('chart data', () => {
  it('downsamples each series and aligns them', () => {
    const long = Array.from({ length: 10_000 }, (_, step) => ({ step, value: step === 5000 ? 99 : 0 }));
    const short = [{ step: 5000, value: 1 }];
    const { steps, values } = buildChartData([{ label: 'a', points: long }, { label: 'b', points: short }], 400);
    expect(steps.length).toBeLessThanOrEqual(401);
    expect(values[0]![steps.indexOf(5000)]).toBe(99);
    expect(values[1]![steps.indexOf(5000)]).toBe(1);
  });
  it('knows when there is nothing to draw', () => {
    expect(hasPoints([])).toBe(false);
    expect(hasPoints([{ label: 'a', points: [] }])).toBe(false);
    expect(hasPoints([{ label: 'a', points: [{ step: 0, value: 1 }] }])).toBe(true);
  });
  it('describes each series in words', () => {
    const text = chartSummary('loss', [
      { label: 'run a', points: [{ step: 0, value: 1 }, { step: 10, value: 0.25 }, { step: 5, value: 0.5 }] },
      { label: 'run b', points: [] },
    ]);
    expect(text).toBe('loss. run a: 3 points, steps 0–10, last 0.25, min 0.25, max 1; run b: no points');
  });
});
