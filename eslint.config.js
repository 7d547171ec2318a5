// ESLint flat config for the whole repository (`npm run lint`).
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const PLATFORM_FREE =
  'core is platform-free: it runs unchanged in VS Code, JupyterLab, webviews, browsers and the backend.';

/** Bare Node built-ins (fs, path, fs/promises, ...); `node:*` is covered by a pattern below. */
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'));

/** Server-side libraries that belong to backend/. */
const SERVER_LIBRARIES = ['better-sqlite3', 'pg', 'ws', 'hono'];

const coreImportRule = [
  'error',
  {
    paths: [
      ...NODE_BUILTINS.map((name) => ({
        name,
        message: `${PLATFORM_FREE} No Node built-ins: use web-standard APIs or take a port from the caller.`,
      })),
      {
        name: 'vscode',
        message: `${PLATFORM_FREE} The vscode API is wrapped in vscode-ext/src/platform/.`,
      },
      ...SERVER_LIBRARIES.map((name) => ({
        name,
        message: `${PLATFORM_FREE} Server libraries belong in backend/, behind a port.`,
      })),
    ],
    patterns: [
      {
        group: ['node:*'],
        message: `${PLATFORM_FREE} No Node built-ins: use web-standard APIs or take a port from the caller.`,
      },
      {
        group: ['@jupyterlab/*', '@lumino/*'],
        message: `${PLATFORM_FREE} JupyterLab APIs belong in jupyterlab-ext/.`,
      },
      {
        group: ['vscode/*', '@hono/*', ...SERVER_LIBRARIES.map((name) => `${name}/*`)],
        message: `${PLATFORM_FREE} Platform and server modules belong in vscode-ext/ or backend/.`,
      },
    ],
  },
];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.tsbuild/**',
      '.cache/**',
      '.venv/**',
      'coverage/**',
      'test-results/**',
      'jupyterlab-ext/lib/**',
      'jupyterlab-ext/runtrail_jupyterlab/labextension/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    // Plain JavaScript here is Node tooling (scripts, configs, the CLI launcher).
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Galata specs reach into the page (window.jupyterapp), which has no types on the test side.
    files: ['tests/jupyterlab/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['core/**'],
    rules: {
      'no-restricted-imports': coreImportRule,
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/^node:/]',
          message: `${PLATFORM_FREE} No Node built-ins, not even through import().`,
        },
        {
          selector: "CallExpression[callee.name='require']",
          message: `${PLATFORM_FREE} core is ESM: no require().`,
        },
      ],
    },
  },
);
