import { describe, expect, it } from 'vitest';
import { analyzeNotebook, cellDataflow, type NotebookCellSource } from './index';

const code = (source: string): NotebookCellSource => ({ kind: 'code', source });

const notebook = [
  code('import pandas as pd\nlr = 0.1'),
  { kind: 'markdown', source: '# Load' } as NotebookCellSource,
  code('raw = pd.read_csv(path)\ndef clean(df):\n    return df.dropna()'),
  code('df = clean(raw)\ndf["ratio"] = df.a / df.b'),
  code('model = train(df, lr)\nscore = model.score(df)'),
  code('print(score, df.shape)'),
  code('df = other()\nprint(df)'),
];

describe('cellDataflow', () => {
  const analyses = analyzeNotebook(notebook);

  it('skips non-code cells', () => {
    expect(analyses[1]).toBeNull();
    expect(cellDataflow(analyses, 1)).toEqual({ inputs: [], outputs: [], missing: [] });
  });

  it('takes inputs from the last cell above that binds each name, with its kind', () => {
    const flow = cellDataflow(analyses, 3);
    expect(flow.inputs).toEqual([
      { name: 'clean', fromCell: 2, kind: 'definition' },
      { name: 'raw', fromCell: 2, kind: 'value' },
    ]);
    expect(flow.missing).toEqual([]);
  });

  it('gives as outputs the values later cells read, until a later cell rebinds them', () => {
    const flow = cellDataflow(analyses, 3);
    expect(flow.outputs).toEqual([{ name: 'df', readBy: [4, 5] }]);
  });

  it('reports names no cell above defines as missing', () => {
    expect(cellDataflow(analyses, 2).missing).toEqual(['path']);
    expect(cellDataflow(analyses, 4).missing).toEqual(['train']);
  });

  it('does not count imports or definitions as outputs', () => {
    expect(cellDataflow(analyses, 0).outputs).toEqual([{ name: 'lr', readBy: [4] }]);
    expect(cellDataflow(analyses, 2).outputs).toEqual([{ name: 'raw', readBy: [3] }]);
  });

  it('makes a mutating cell the producer of the value it changed', () => {
    const cells = analyzeNotebook([code('xs = []'), code('xs.append(1)'), code('print(xs)')]);
    expect(cellDataflow(cells, 2).inputs).toEqual([{ name: 'xs', fromCell: 1, kind: 'value' }]);
    expect(cellDataflow(cells, 1).outputs).toEqual([{ name: 'xs', readBy: [2] }]);
  });

  it('treats a shadowed builtin as an input and a deleted name as gone', () => {
    const cells = analyzeNotebook([code('input = 3\ntmp = 1'), code('del tmp'), code('print(input, tmp)')]);
    const flow = cellDataflow(cells, 2);
    expect(flow.inputs.map((i) => i.name)).toEqual(['input']);
    expect(flow.missing).toEqual(['tmp']);
  });
});

describe('cellDataflow properties', () => {
  it('on straight-line cells, inputs come from the last cell above binding each name, outputs go to readers below', async () => {
    const fc = (await import('fast-check')).default;
    const name = fc.constantFrom('a', 'b', 'c', 'd');
    const statement = fc.tuple(name, fc.array(name, { maxLength: 2 }));
    const cellArb = fc.array(statement, { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(fc.array(cellArb, { minLength: 1, maxLength: 6 }), fc.nat(), (cells, pick) => {
      const sources = cells.map((statements) => statements.map(([t, used]) => `${t} = g(${used.join(', ')})`).join('\n'));
      const analyses = analyzeNotebook([code('def g(*a):\n    return 0'), ...sources.map(code)]);
      const index = 1 + (pick % cells.length);
      // Model: the cell's reads are names used before its own binding; the producer is the last cell above binding it.
      const readsOf = (statements: typeof cells[number]) => {
        const bound = new Set<string>();
        const reads: string[] = [];
        for (const [t, used] of statements) {
          for (const u of used) if (!bound.has(u) && !reads.includes(u)) reads.push(u);
          bound.add(t);
        }
        return { reads, bound };
      };
      const own = readsOf(cells[index - 1]!);
      const expectedInputs = ['g', ...own.reads].flatMap((n) => {
        for (let k = index - 1; k >= 0; k--) {
          if (k === 0 ? n === 'g' : readsOf(cells[k - 1]!).bound.has(n)) return [{ name: n, fromCell: k, kind: k === 0 ? 'definition' : 'value' }];
        }
        return [];
      });
      const flow = cellDataflow(analyses, index);
      expect(flow.inputs).toEqual(expectedInputs);
      expect(flow.missing).toEqual(own.reads.filter((n) => !expectedInputs.some((i) => i.name === n)));
      for (const output of flow.outputs) {
        for (const reader of output.readBy) expect(cellDataflow(analyses, reader).inputs).toContainEqual({ name: output.name, fromCell: index, kind: 'value' });
      }
    }));
  });
});
