import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dependentsOf, parsePipelineYaml, readySteps, selectSteps, topologicalOrder, type PipelineSpec, type StepState } from './index';

/** a -> c, b -> c, c -> d, e alone. */
const spec = parsePipelineYaml(`version: 1
name: p
steps:
  - { name: a, source: s/a.py, function: a, notebook: n.ipynb, cell: a, outputs: [{ name: x }] }
  - { name: b, source: s/b.py, function: b, notebook: n.ipynb, cell: b, outputs: [{ name: y }] }
  - name: c
    source: s/c.py
    function: c
    notebook: n.ipynb
    cell: c
    inputs: [{ name: x, from: step, step: a, output: x }, { name: y, from: step, step: b, output: y }]
    outputs: [{ name: z }]
  - { name: d, source: s/d.py, function: d, notebook: n.ipynb, cell: d, inputs: [{ name: z, from: step, step: c, output: z }] }
  - { name: e, source: s/e.py, function: e, notebook: n.ipynb, cell: e }
`);
const order = topologicalOrder(spec);
const states = (entries: Record<string, StepState>) => new Map(order.map((s) => [s.name, entries[s.name] ?? 'pending']));
const names = (steps: Array<{ name: string }>) => steps.map((s) => s.name);

describe('readySteps', () => {
  it('starts independent steps together, bounded by the parallelism', () => {
    expect(names(readySteps(order, states({}), 8))).toEqual(['a', 'b', 'e']);
    expect(names(readySteps(order, states({}), 2))).toEqual(['a', 'b']);
    expect(names(readySteps(order, states({ a: 'running', b: 'running' }), 2))).toEqual([]);
  });

  it('starts a step only when all its upstream steps are done', () => {
    expect(names(readySteps(order, states({ a: 'done', b: 'running', e: 'done' }), 8))).toEqual([]);
    expect(names(readySteps(order, states({ a: 'done', b: 'done', e: 'done' }), 8))).toEqual(['c']);
    expect(names(readySteps(order, states({ a: 'done', b: 'failed', e: 'done' }), 8))).toEqual([]);
  });
});

describe('dependentsOf', () => {
  it('blocks exactly the steps downstream of a failure', () => {
    expect(dependentsOf(order, 'a')).toEqual(['c', 'd']);
    expect(dependentsOf(order, 'c')).toEqual(['d']);
    expect(dependentsOf(order, 'e')).toEqual([]);
  });
});

describe('selectSteps', () => {
  it('--only takes the step and what it reads from, in order', () => {
    expect(names(selectSteps(spec, order, ['d']))).toEqual(['a', 'b', 'c', 'd']);
    expect(names(selectSteps(spec, order, ['e']))).toEqual(['e']);
    expect(names(selectSteps(spec, order, []))).toEqual(names(order));
  });

  it('names an unknown step', () => {
    expect(() => selectSteps(spec, order, ['nope'])).toThrow('--only: no step named "nope" (steps: a, b, c, d, e)');
  });
});

/** A random DAG: step i may read from any step before it. */
const dag = fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: 1, maxLength: 12 }).map((deps): PipelineSpec =>
  parsePipelineYaml(JSON.stringify({
    version: 1,
    name: 'random',
    steps: deps.map((d, i) => ({
      name: `s${i}`, source: `s/s${i}.py`, function: `s${i}`, notebook: 'n.ipynb', cell: `c${i}`,
      outputs: [{ name: 'out' }],
      inputs: i === 0 ? [] : [...new Set(d.map((j) => j % i))].map((j) => ({ name: `in${j}`, from: 'step', step: `s${j}`, output: 'out' })),
    })),
  })),
);

describe('a simulated run', () => {
  it('runs every step once, never before its upstream steps, never more than the bound at once', () => {
    fc.assert(fc.property(dag, fc.integer({ min: 1, max: 4 }), fc.nat(), (random, parallelism, failAt) => {
      const steps = topologicalOrder(random);
      const state = new Map<string, StepState>(steps.map((s) => [s.name, 'pending']));
      const failing = steps[failAt % steps.length]!.name;
      const finished: string[] = [];
      for (;;) {
        const ready = readySteps(steps, state, parallelism);
        for (const s of ready) state.set(s.name, 'running');
        const running = [...state].filter(([, v]) => v === 'running').map(([k]) => k);
        expect(running.length).toBeLessThanOrEqual(parallelism);
        if (running.length === 0) break;
        const done = running[0]!;
        const step = steps.find((s) => s.name === done)!;
        for (const i of step.inputs) if (i.from === 'step') expect(finished).toContain(i.step);
        finished.push(done);
        if (done === failing) {
          state.set(done, 'failed');
          for (const d of dependentsOf(steps, done)) state.set(d, 'blocked');
        } else state.set(done, 'done');
      }
      const blocked = new Set(dependentsOf(steps, failing));
      for (const s of steps) expect(state.get(s.name)).toBe(s.name === failing ? 'failed' : blocked.has(s.name) ? 'blocked' : 'done');
    }));
  });
});
