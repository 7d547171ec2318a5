import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { UPLOT_CSS } from '../charts/uplot-css';
import { JUPYTERLAB_THEME_BRIDGE_CSS } from './jupyterlab';
import { CHART_SERIES_VARS, resolveChartTheme, seriesColor } from './palette';

// Read with fs: vitest turns CSS imports (even `?raw`) into empty strings.
const bridgeCss = readFileSync(new URL('./jupyterlab.css', import.meta.url), 'utf8');
const uplotCss = readFileSync(new URL('../../../../node_modules/uplot/dist/uPlot.min.css', import.meta.url), 'utf8');

/** Component and theme sources, to check which CSS variables they read. */
const sources = import.meta.glob<string>(['../components/*.ts', './styles.ts'], { query: '?raw', import: 'default', eager: true });

describe('JupyterLab bridge', () => {
  it('exports exactly the text of jupyterlab.css', () => {
    expect(JUPYTERLAB_THEME_BRIDGE_CSS).toBe(bridgeCss);
  });
  it('maps only --vscode-* variables, each from a --jp-* (or JupyterLab --md-*) variable', () => {
    const declarations = [...bridgeCss.matchAll(/^\s*(--[\w-]+):\s*([^;]+);/gm)];
    expect(declarations.length).toBeGreaterThan(40);
    for (const [, name, value] of declarations) {
      expect(name).toMatch(/^--vscode-/);
      if (!/^(normal|transparent|rgba\()/.test(value!)) expect(value).toMatch(/var\(--(jp|md)-/);
    }
  });
  it('covers every --vscode-* variable the components read', () => {
    const mapped = new Set([...bridgeCss.matchAll(/^\s*(--vscode-[\w-]+):/gm)].map((m) => m[1]));
    const used = new Set(Object.values(sources).flatMap((s) => [...s.matchAll(/var\((--vscode-[\w-]+)/g)].map((m) => m[1]!)));
    expect([...used].filter((v) => !mapped.has(v))).toEqual([]);
    for (const v of CHART_SERIES_VARS) expect(mapped.has(v)).toBe(true);
  });
});

describe('component styles', () => {
  it('read only --vscode-* theme variables (and their own --rt-* aliases)', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(5);
    for (const [file, text] of Object.entries(sources)) {
      expect(text.length, file).toBeGreaterThan(200);
      const vars = [...text.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1]!);
      expect(vars.filter((v) => !/^--(vscode|rt)-/.test(v)), file).toEqual([]);
    }
  });
  it('ship the installed uPlot stylesheet', () => {
    expect(UPLOT_CSS.trim()).toBe(uplotCss.trim());
  });
});

describe('chart palette', () => {
  it('uses theme variables and falls back per variable', () => {
    const vars: Record<string, string> = { '--vscode-charts-blue': ' #0000ff ', '--vscode-foreground': '#111' };
    const theme = resolveChartTheme((name) => vars[name] ?? '');
    expect(theme.series[0]).toBe('#0000ff');
    expect(theme.series[1]).toMatch(/^#/);
    expect(theme.axis).toBe('#111');
    expect(theme.grid).toMatch(/rgba/);
    expect(seriesColor(theme, CHART_SERIES_VARS.length)).toBe('#0000ff');
  });
});
