import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The integration suite: real processes and real services, one file at a time (they share ports and folders).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/integration/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
