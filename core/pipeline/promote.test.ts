import { describe, expect, it } from 'vitest';
import type { NotebookCellSource } from '../analysis';
import { PipelineError, parsePipelineYaml, planDemotion, planPromotion, type PromotionNotebook } from './index';

const code = (id: string, source: string, tags?: string[]): NotebookCellSource => ({ kind: 'code', id, source, ...(tags ? { tags } : {}) });
const md = (id: string, source: string): NotebookCellSource => ({ kind: 'markdown', id, source });

const notebook: PromotionNotebook = {
  path: 'work/churn.ipynb',
  cells: [
    code('params', 'threshold = 0.5\nn_estimators = 20', ['parameters']),
    code('load', 'import numpy as np\nimport pandas as pd\n%matplotlib inline\nraw = pd.DataFrame({"a": np.arange(10)})'),
    code('helpers', 'SCALE = 2\ndef add_ratio(df):\n    return df.assign(ratio=df.a * SCALE / np.pi)'),
    md('features-md', '## Build features'),
    code('features', 'features = add_ratio(raw)\nfeatures = features[features.ratio > threshold]'),
    code('train', 'from collections import Counter\ncounts = Counter(features.a)\nscore = len(features) / n_estimators'),
    code('report', 'print(counts, score)'),
  ],
};

function errorOf(fn: () => unknown): PipelineError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PipelineError) return error;
    throw error;
  }
  throw new Error('expected a PipelineError');
}

describe('planPromotion', () => {
  const snapshots = { raw: { fingerprint: 'fp-raw-1', kind: 'pandas' }, features: { kind: 'pandas' } };
  const first = planPromotion(notebook, { id: 'features' }, null, { snapshots, pipelineName: 'churn' });

  it('previews inputs, outputs, params and the heading-derived name', () => {
    expect(first.preview).toMatchObject({
      step: 'build_features',
      cell: { index: 4, id: 'features' },
      update: false,
      inputs: [{ name: 'raw', from: 'data', snapshot: 'fp-raw-1', type: 'pandas.DataFrame', cell: 1 }],
      outputs: [{ name: 'features', type: 'pandas.DataFrame', format: 'parquet' }],
      params: [{ name: 'threshold', value: 0.5 }],
      upstream: [],
      helpers: ['add_ratio'],
      imports: ['import numpy as np'],
    });
  });

  it('writes a step module with imports, helper, constants and a typed function', () => {
    const module = first.writes.find((f) => f.path === 'pipeline/steps/build_features.py')!.content;
    expect(module).toContain('import numpy as np\n');
    expect(module).toContain('SCALE = 2\n');
    expect(module).toContain('def add_ratio(df):');
    expect(module).toContain('def build_features(raw: pandas.DataFrame, threshold: float = 0.5) -> BuildFeaturesOutputs:');
    expect(module).toContain('    features = add_ratio(raw)\n');
    expect(module).toContain('    return {"features": features}\n');
  });

  it('writes pipeline.yaml that parses back to the planned pipeline', () => {
    const yaml = first.writes.find((f) => f.path === 'pipeline.yaml')!.content;
    expect(parsePipelineYaml(yaml)).toEqual(first.pipeline);
    expect(first.pipeline).toMatchObject({ name: 'churn', params: { threshold: 0.5 }, steps: [{ name: 'build_features', cell: 'features', notebook: 'work/churn.ipynb' }] });
    expect(first.cellTag).toEqual({ index: 4, add: ['runtrail-step:build_features'], removePrefix: 'runtrail-step:' });
  });

  const yaml1 = first.writes.find((f) => f.path === 'pipeline.yaml')!.content;
  const second = planPromotion(notebook, { index: 5 }, yaml1, { name: 'train' });

  it('wires an input made by an existing step to that step', () => {
    expect(second.preview.inputs).toEqual([{ name: 'features', from: 'step', step: 'build_features', type: 'pandas.DataFrame' }]);
    expect(second.preview.upstream).toEqual(['build_features']);
    expect(second.preview.params).toEqual([{ name: 'n_estimators', value: 20 }]);
    expect(second.preview.outputs.map((o) => o.name)).toEqual(['counts', 'score']);
    expect(second.pipeline.steps.map((s) => s.name)).toEqual(['build_features', 'train']);
  });

  it('wires a literal to the step that outputs it rather than making it a param', () => {
    const nb: PromotionNotebook = { path: 'p.ipynb', cells: [code('a', 'k = 3'), code('b', 'y = k + 1'), code('c', 'print(k, y)')] };
    const up = planPromotion(nb, { id: 'a' }, null, { name: 'make_k' });
    expect(up.preview.outputs).toEqual([{ name: 'k', type: 'int', format: 'json' }]);
    const down = planPromotion(nb, { id: 'b' }, up.writes[1]!.content, { name: 'use_k' });
    expect(down.preview.params).toEqual([]);
    expect(down.preview.inputs).toEqual([{ name: 'k', from: 'step', step: 'make_k', type: 'int' }]);
  });

  it('wires steps promoted earlier to a new upstream step that now produces their data inputs', () => {
    const downFirst = planPromotion(notebook, { id: 'train' }, null, { name: 'train' });
    expect(downFirst.step.inputs).toEqual([{ name: 'features', from: 'data', type: 'object', format: 'pickle' }]);
    const up = planPromotion(notebook, { id: 'features' }, downFirst.writes[1]!.content, { name: 'featurize', snapshots });
    expect(up.preview.downstream).toEqual(['train.features']);
    expect(up.pipeline.steps.find((s) => s.name === 'train')!.inputs).toEqual([
      { name: 'features', from: 'step', step: 'featurize', output: 'features', type: 'pandas.DataFrame' },
    ]);
  });

  it('handles Python names that are also JavaScript object members', () => {
    const nb: PromotionNotebook = { path: 'o.ipynb', cells: [code('a', 'constructor = 3\nvalueOf = len("x")'), code('b', 'toString = constructor + valueOf'), code('c', 'print(toString)')] };
    const plan = planPromotion(nb, { id: 'b' }, null, { name: 'objects' });
    expect(plan.preview.params).toEqual([{ name: 'constructor', value: 3 }]);
    expect(plan.preview.inputs.map((i) => [i.name, i.from])).toEqual([['valueOf', 'data']]);
    expect(plan.pipeline.params).toEqual({ constructor: 3 });
    expect(parsePipelineYaml(plan.writes[1]!.content)).toEqual(plan.pipeline);
  });

  it('updates in place when promoted again, keeping a param value edited in pipeline.yaml', () => {
    const yaml2 = second.writes.find((f) => f.path === 'pipeline.yaml')!.content.replace('n_estimators: 20', 'n_estimators: 50');
    const again = planPromotion(notebook, { id: 'train' }, yaml2);
    expect(again.preview.update).toBe(true);
    expect(again.pipeline.steps.map((s) => s.name)).toEqual(['build_features', 'train']);
    expect(again.preview.params).toEqual([{ name: 'n_estimators', value: 50 }]);
    expect(again.writes.find((f) => f.path.endsWith('train.py'))!.content).toContain('n_estimators: int = 50');
  });

  it('renames a step: references follow and the old module is deleted', () => {
    const yaml2 = second.writes.find((f) => f.path === 'pipeline.yaml')!.content;
    const renamed = planPromotion(notebook, { id: 'features' }, yaml2, { name: 'featurize' });
    expect(renamed.deletes).toEqual(['pipeline/steps/build_features.py']);
    expect(renamed.pipeline.steps[1]!.inputs[0]).toMatchObject({ from: 'step', step: 'featurize' });
  });

  it('numbers a default name another step already has, and hints at definitions below the cell', () => {
    const nb: PromotionNotebook = { path: 'p.ipynb', cells: [md('h', '## Load'), code('a', 'x = len("a")'), code('b', 'y = x + z'), code('c', 'z = 1')] };
    const first = planPromotion(nb, { id: 'a' }, null);
    expect(first.step.name).toBe('load');
    const e = errorOf(() => planPromotion(nb, { id: 'b' }, first.writes[1]!.content));
    expect(e.message).toBe('step "step_2": inputs: cell 2 reads "z", which no cell above it defines (cell 3 below defines "z": move it above)');
    const nb2: PromotionNotebook = { ...nb, cells: [...nb.cells.slice(0, 2), md('h2', '## Load'), code('b', 'y = x + 1')] };
    expect(planPromotion(nb2, { id: 'b' }, first.writes[1]!.content).step.name).toBe('load_2');
    const ran: PromotionNotebook = { path: 'r.ipynb', cells: [code('a', '%run setup.py'), code('b', 'y = made_by_setup + 1')] };
    expect(errorOf(() => planPromotion(ran, { id: 'b' }, null)).message).toContain('(cell 0 uses %run, whose names cannot be known');
  });

  it('refuses a name another cell\'s step has', () => {
    const e = errorOf(() => planPromotion(notebook, { id: 'report' }, yaml1, { name: 'build_features' }));
    expect(e.step).toBe('build_features');
    expect(e.field).toBe('name');
    expect(e.message).toContain('already exists');
  });

  it('refuses a step name that collides with a name of the step', () => {
    const e = errorOf(() => planPromotion(notebook, { id: 'features' }, null, { name: 'add_ratio' }));
    expect(e.field).toBe('name');
    expect(e.message).toContain('helper definition');
    expect(errorOf(() => planPromotion(notebook, { id: 'features' }, null, { name: 'Bad-Name' })).field).toBe('name');
  });

  it('names missing inputs, star imports, syntax errors and non-Python cells', () => {
    const bad: PromotionNotebook = {
      path: 'bad.ipynb',
      cells: [code('a', 'total = undefined_name + 1'), code('b', 'from math import *\ny = sqrt(2)'), code('c', 'y = (1 +\nz = 2'), code('d', '%%bash\nls')],
    };
    const missing = errorOf(() => planPromotion(bad, { index: 0 }, null, { name: 's' }));
    expect([missing.field, missing.step]).toEqual(['inputs', 's']);
    expect(missing.message).toContain('"undefined_name"');
    const star = errorOf(() => planPromotion(bad, { index: 1 }, null, { name: 's' }));
    expect(star.field).toBe('imports');
    expect(star.message).toContain('from math import *');
    const syntax = errorOf(() => planPromotion(bad, { index: 2 }, null, { name: 's' }));
    expect(syntax.field).toBe('cell');
    expect(syntax.message).toMatch(/line 2, column 3/);
    expect(errorOf(() => planPromotion(bad, { index: 3 }, null, { name: 's' })).message).toContain('%%bash');
    expect(errorOf(() => planPromotion(bad, { index: 9 }, null)).message).toContain('no cell with index 9');
  });

  it('refuses a cyclic dependency', () => {
    // Cells reordered after promotion: "train" (now above) is a step reading "features"; promoting the features
    // cell, which now reads train's output, would close a loop.
    const reordered: PromotionNotebook = {
      path: 'work/churn.ipynb',
      cells: [code('params', 'threshold = 0.5'), code('train', 'score = len("ab")'), code('features', 'features = score * 2'), code('report', 'print(features)')],
    };
    const yaml = `version: 1\nname: churn\nsteps:\n  - name: train\n    source: pipeline/steps/train.py\n    function: train\n    notebook: work/churn.ipynb\n    cell: train\n    inputs:\n      - { name: features, from: step, step: featurize, output: features }\n    outputs:\n      - { name: score }\n  - name: featurize\n    source: pipeline/steps/featurize.py\n    function: featurize\n    notebook: work/churn.ipynb\n    cell: other\n    outputs:\n      - { name: features }\n`;
    const e = errorOf(() => planPromotion(reordered, { id: 'features' }, yaml.replace('cell: other', 'cell: features')));
    expect(e.field).toBe('inputs');
    expect(e.message).toMatch(/cyclic dependency: (featurize -> train -> featurize|train -> featurize -> train)/);
  });

  it('names the step and field of an invalid pipeline.yaml', () => {
    const broken = yaml1.replace('function: build_features', 'function: 1bad');
    const e = errorOf(() => planPromotion(notebook, { id: 'train' }, broken));
    expect(e.step).toBe('build_features');
    expect(e.field).toBe('pipeline.yaml: steps[0].function');
    const notYaml = errorOf(() => planPromotion(notebook, { id: 'train' }, 'steps: [\n  - a'));
    expect(notYaml.field).toBe('pipeline.yaml');
    expect(notYaml.message).toMatch(/invalid YAML at line \d+/);
    const dangling = errorOf(() => parsePipelineYaml(yaml1.replace('steps:', 'steps:\n  - name: x\n    source: x.py\n    function: x\n    notebook: n.ipynb\n    cell: c\n    inputs: [{ name: a, from: step, step: nope, output: a }]')));
    expect(dangling.message).toContain('steps[0].inputs[0].step: no step named "nope"');
  });
});

describe('planDemotion', () => {
  const first = planPromotion(notebook, { id: 'features' }, null, { name: 'features_step' });
  const yaml1 = first.writes[1]!.content;
  const second = planPromotion(notebook, { id: 'train' }, yaml1, { name: 'train' });
  const yaml2 = second.writes[1]!.content;

  it('removes the step, its module, its unused params and the cell tag', () => {
    const plan = planDemotion(notebook, { id: 'train' }, yaml2);
    expect(plan.pipeline.steps.map((s) => s.name)).toEqual(['features_step']);
    expect(plan.pipeline.params).toEqual({ threshold: 0.5 });
    expect(plan.deletes).toEqual(['pipeline/steps/train.py']);
    expect(plan.cellTag).toEqual({ index: 5, add: [], removePrefix: 'runtrail-step:' });
  });

  it('refuses while another step reads its outputs, and for cells that are not steps', () => {
    const e = errorOf(() => planDemotion(notebook, { id: 'features' }, yaml2));
    expect([e.step, e.field]).toEqual(['features_step', 'steps']);
    expect(e.message).toContain('step "train" reads an output of this step (steps[1].inputs[0])');
    expect(errorOf(() => planDemotion(notebook, { id: 'report' }, yaml2)).message).toContain('is not a pipeline step');
  });
});

describe('published JSON Schema', () => {
  it('exports pipeline.yaml as JSON Schema next to the other records', async () => {
    const { exportJsonSchemas } = await import('../schema');
    const schema = exportJsonSchemas().PipelineSpec as { type: string; required: string[]; properties: Record<string, unknown> };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'name']));
    expect(Object.keys(schema.properties)).toEqual(['version', 'name', 'params', 'steps']);
  });
});
