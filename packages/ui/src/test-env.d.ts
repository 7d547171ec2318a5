// What the tests use beyond the DOM typings: Vite's eager `import.meta.glob` (vitest runs on Vite; vite is
// vitest's nested dependency, so its types cannot be referenced) and `readFileSync` (the package compiles
// without @types/node, because its sources run in browsers).

declare module 'node:fs' {
  export function readFileSync(path: URL | string, encoding: 'utf8'): string;
}

interface ImportMeta {
  glob<T = unknown>(
    patterns: string | string[],
    options?: { query?: string; import?: string; eager?: boolean },
  ): Record<string, T>;
}
