import { describe, expect, it, vi } from 'vitest';

// Components load in node through Lit's server build (its DOM shim has a custom element registry);
// @vscode-elements reads `navigator` at import, which node 20 lacks.
vi.stubGlobal('navigator', { userAgent: 'node' });

describe('defineRuntrailElements', () => {
  it('defines each element once and tolerates repeated calls', async () => {
    const { defineRuntrailElements, RUNTRAIL_ELEMENTS } = await import('./index');
    const defined = new Map<string, CustomElementConstructor>();
    const registry = {
      get: (tag: string) => defined.get(tag),
      define: (tag: string, ctor: CustomElementConstructor) => {
        if (defined.has(tag)) throw new DOMException(`"${tag}" has already been used with this registry`, 'NotSupportedError');
        defined.set(tag, ctor);
      },
    } as unknown as CustomElementRegistry;
    defineRuntrailElements(registry);
    expect(() => defineRuntrailElements(registry)).not.toThrow();
    expect([...defined.keys()].sort()).toEqual(['rt-metric-chart', 'rt-run-compare', 'rt-run-detail', 'rt-run-table']);
    expect(defined.get('rt-run-table')).toBe(RUNTRAIL_ELEMENTS['rt-run-table']);
  });
  it('uses the page registry by default', async () => {
    const { defineRuntrailElements, RtRunCompare } = await import('./index');
    defineRuntrailElements();
    defineRuntrailElements();
    expect(customElements.get('rt-run-compare')).toBe(RtRunCompare);
  });
});
