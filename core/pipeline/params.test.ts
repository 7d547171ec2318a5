import { describe, expect, it } from 'vitest';
import { paramOverrides, parseParamAssignment, parsePipelineYaml, parseSweep, PipelineError } from './index';

const spec = parsePipelineYaml('version: 1\nname: p\nparams: { lr: 0.1, name: a }\n');

describe('--param and --sweep', () => {
  it('reads JSON values, else strings', () => {
    expect(parseParamAssignment('lr=0.3')).toEqual({ key: 'lr', value: 0.3 });
    expect(parseParamAssignment('name=adam')).toEqual({ key: 'name', value: 'adam' });
    expect(parseParamAssignment('name="0.3"')).toEqual({ key: 'name', value: '0.3' });
    expect(parseParamAssignment('name=a=b')).toEqual({ key: 'name', value: 'a=b' });
    expect(parseParamAssignment('lr=[1,2]')).toEqual({ key: 'lr', value: [1, 2] });
  });

  it('splits sweep values on commas, or takes a JSON array', () => {
    expect(parseSweep('lr=0.1,0.2,0.3')).toEqual({ key: 'lr', values: [0.1, 0.2, 0.3] });
    expect(parseSweep('name=a, b')).toEqual({ key: 'name', values: ['a', 'b'] });
    expect(parseSweep('lr=[[1,2],[3]]')).toEqual({ key: 'lr', values: [[1, 2], [3]] });
  });

  it('names malformed and unknown params', () => {
    expect(() => parseParamAssignment('lr')).toThrow('--param: "lr" must look like name=value');
    expect(() => parseSweep('lr=')).toThrow('--sweep: "lr=" lists no values');
    expect(() => paramOverrides(spec, [{ key: 'epochs', value: 3 }])).toThrow(PipelineError);
    expect(() => paramOverrides(spec, [{ key: 'epochs', value: 3 }])).toThrow('--param: "epochs" is not a param of pipeline.yaml (params: lr, name)');
    expect(() => paramOverrides(spec, [{ key: 'toString', value: 3 }])).toThrow('"toString" is not a param');
    expect(paramOverrides(spec, [{ key: 'lr', value: 1 }])).toEqual({ lr: 1 });
  });
});
