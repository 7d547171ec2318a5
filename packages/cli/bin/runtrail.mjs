#!/usr/bin/env node
// `runtrail` launcher: the command is bundled by `npm run build` into ../dist/runtrail.mjs.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/runtrail.mjs', import.meta.url);
if (!existsSync(bundle)) {
  console.error('runtrail is not built yet: run `npm run build` in the repository first');
  process.exit(1);
}
await import(bundle.href);
