import { defineConfig } from 'vitest/config';

// The fast suite: core and backend in-process. Slow suites have their own configs under tests/.
export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'backend/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'vscode-ext/src/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 20_000,
  },
});
