// The JSON Schemas published in the repository's `schemas/` folder (for editors validating `pipeline.yaml`, and tools
// outside TypeScript) must be exactly what the zod schemas export. `RUNTRAIL_UPDATE_SCHEMAS=1 npx vitest run
// packages/cli/src/schemas.test.ts` rewrites them after a schema change.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportJsonSchemas } from '@runtrail/core';
import { describe, expect, it } from 'vitest';

const PUBLISHED: Record<string, { file: string; title: string }> = {
  PipelineSpec: { file: 'pipeline.schema.json', title: 'runtrail pipeline.yaml' },
};

function published(name: string): string {
  const { title } = PUBLISHED[name]!;
  const schema = { title, ...(exportJsonSchemas()[name] as object) };
  return JSON.stringify(schema, null, 2) + '\n';
}

describe('published JSON Schemas', () => {
  for (const [name, { file }] of Object.entries(PUBLISHED)) {
    it(`schemas/${file} is the current ${name} schema`, () => {
      const path = fileURLToPath(new URL(`../../../schemas/${file}`, import.meta.url));
      const expected = published(name);
      if (process.env.RUNTRAIL_UPDATE_SCHEMAS === '1') writeFileSync(path, expected);
      const actual = readFileSync(path, 'utf8');
      expect(actual, `schemas/${file} is stale: run RUNTRAIL_UPDATE_SCHEMAS=1 npx vitest run packages/cli/src/schemas.test.ts`).toBe(expected);
    });
  }

  it('the pipeline schema requires version and name, and describes params and steps', () => {
    const schema = JSON.parse(published('PipelineSpec')) as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['version', 'name']);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['params', 'steps']));
  });
});
