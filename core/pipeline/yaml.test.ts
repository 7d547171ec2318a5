import { describe, expect, it } from 'vitest';
import { PipelineError, parsePipelineYaml, stringifyPipeline, type PipelineSpec } from './index';

const spec: PipelineSpec = { version: 1, name: 'demo', params: { lr: 0.1 }, steps: [] };

describe('pipeline.yaml text', () => {
  it('round-trips and keeps the comments of an existing file', () => {
    const previous = '# team notes: keep me\nversion: 1\nname: demo # inline\nparams: {}\nsteps: []\n';
    const text = stringifyPipeline(spec, previous);
    expect(text).toContain('# team notes: keep me');
    expect(text).toContain('# inline');
    expect(parsePipelineYaml(text)).toEqual(spec);
  });

  it('keeps comments on steps that did not change', () => {
    const step = (name: string) => ({ name, source: `s/${name}.py`, function: name, notebook: 'n.ipynb', cell: name, inputs: [], outputs: [], params: [] });
    const two = { ...spec, steps: [step('a'), step('b')] };
    const commented = stringifyPipeline(two).replace('  - name: a', '  # the loader\n  - name: a');
    const changed = stringifyPipeline({ ...two, steps: [step('a'), { ...step('b'), function: 'b2' }, step('c')] }, commented);
    expect(changed).toContain('# the loader');
    expect(parsePipelineYaml(changed).steps.map((s) => s.function)).toEqual(['a', 'b2', 'c']);
    const removed = stringifyPipeline({ ...two, steps: [step('a')] }, changed);
    expect(parsePipelineYaml(removed).steps.map((s) => s.name)).toEqual(['a']);
    expect(removed).toContain('# the loader');
  });

  it('starts a new file with a header comment', () => {
    const text = stringifyPipeline(spec);
    expect(text.startsWith('# runtrail pipeline')).toBe(true);
    expect(parsePipelineYaml(text)).toEqual(spec);
  });

  it('rejects unknown keys and wrong versions, naming the field', () => {
    const unknown = () => parsePipelineYaml('version: 1\nname: demo\nsteps: []\nstpes: []\n');
    expect(unknown).toThrow(PipelineError);
    expect(unknown).toThrow(/^pipeline\.yaml: \(root\): Unrecognized key: "stpes"/);
    expect(() => parsePipelineYaml('version: 2\nname: demo\n')).toThrow(/^pipeline\.yaml: version: /);
    expect(() => parsePipelineYaml('version: 1\nname: demo\nparams: { "bad-key": 1 }\n')).toThrow(/params/);
  });
});
