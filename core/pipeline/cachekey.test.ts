import { describe, expect, it } from 'vitest';
import {
  cacheKeyMaterial,
  canonicalJson,
  importedModules,
  localModuleCandidates,
  parsePipelineYaml,
  stalenessReasons,
  stepParamValues,
  type StepKeyParts,
} from './index';

const parts: StepKeyParts = {
  step: 'train',
  function: 'train',
  code: { 'pipeline/steps/train.py': 'c1', 'lib/util.py': 'c2' },
  params: { lr: 0.1, layers: [64, 64] },
  inputs: { features: 'xxh128:aa' },
};

describe('cacheKeyMaterial', () => {
  it('is the same for the same parts in any key order', () => {
    const reordered: StepKeyParts = {
      inputs: { features: 'xxh128:aa' },
      params: { layers: [64, 64], lr: 0.1 },
      code: { 'lib/util.py': 'c2', 'pipeline/steps/train.py': 'c1' },
      function: 'train',
      step: 'train',
    };
    expect(cacheKeyMaterial(reordered)).toBe(cacheKeyMaterial(parts));
  });

  it('changes with the code, a param value, an input fingerprint or an imported module', () => {
    const base = cacheKeyMaterial(parts);
    expect(cacheKeyMaterial({ ...parts, code: { ...parts.code, 'pipeline/steps/train.py': 'c9' } })).not.toBe(base);
    expect(cacheKeyMaterial({ ...parts, code: { ...parts.code, 'lib/util.py': 'c9' } })).not.toBe(base);
    expect(cacheKeyMaterial({ ...parts, params: { ...parts.params, lr: 0.2 } })).not.toBe(base);
    expect(cacheKeyMaterial({ ...parts, params: { ...parts.params, lr: '0.1' } })).not.toBe(base);
    expect(cacheKeyMaterial({ ...parts, inputs: { features: 'xxh128:bb' } })).not.toBe(base);
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: null })).toBe('{"a":null,"b":{"c":[{"e":2,"f":1}],"d":1}}');
  });
});

describe('stalenessReasons', () => {
  it('names what changed: code, params, inputs, files', () => {
    const now: StepKeyParts = { ...parts, code: { ...parts.code, 'lib/util.py': 'c3' }, params: { lr: 0.2, layers: [64, 64] }, inputs: { features: 'xxh128:bb' } };
    expect(stalenessReasons(parts, now, ['data/x.csv'])).toEqual([
      'code changed: lib/util.py',
      'param changed: lr',
      'input changed: features',
      'input file changed: data/x.csv',
    ]);
  });

  it('is empty when nothing changed and "never run" without a previous entry', () => {
    expect(stalenessReasons(parts, structuredClone(parts))).toEqual([]);
    expect(stalenessReasons(undefined, parts)).toEqual(['never run']);
  });

  it('counts an added or removed param as a change', () => {
    expect(stalenessReasons(parts, { ...parts, params: { lr: 0.1 } })).toEqual(['param changed: layers']);
  });
});

describe('stepParamValues', () => {
  const spec = parsePipelineYaml(`version: 1
name: p
params: { lr: 0.1, epochs: 3, constructor: 1 }
steps:
  - { name: train, source: pipeline/steps/train.py, function: train, notebook: n.ipynb, cell: c, params: [lr, constructor] }
`);
  it("takes the step's own params, overrides first", () => {
    expect(stepParamValues(spec, spec.steps[0]!)).toEqual({ lr: 0.1, constructor: 1 });
    expect(stepParamValues(spec, spec.steps[0]!, { lr: 0.5, epochs: 9 })).toEqual({ lr: 0.5, constructor: 1 });
  });
});

describe('importedModules and localModuleCandidates', () => {
  it('finds imports anywhere in a module, submodules of from-imports included', () => {
    const source = [
      'from __future__ import annotations',
      'import numpy as np, lib.util',
      'from features import (',
      '    scale,',
      '    clip as c,',
      ')',
      'def f():',
      '    from . import helpers',
      '    import json',
    ].join('\n');
    expect(importedModules(source).sort()).toEqual(
      ['__future__', '__future__.annotations', 'features', 'features.clip', 'features.scale', 'helpers', 'json', 'lib.util', 'numpy'].sort(),
    );
  });

  it('looks beside the step and at the project root', () => {
    expect(localModuleCandidates('lib.util', 'pipeline/steps')).toEqual([
      'pipeline/steps/lib/util.py',
      'pipeline/steps/lib/util/__init__.py',
      'lib/util.py',
      'lib/util/__init__.py',
    ]);
    expect(localModuleCandidates('../x', '.')).toEqual([]);
  });
});
