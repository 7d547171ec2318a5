/**
 * The shareable pages in a real browser (Debian Chromium via playwright-core) against a real `runtrail serve`
 * seeded over REST: nothing of a run shows without the token, a refused token says so, signing in shows the
 * run's params and a drawn metric chart, an unknown run is "not found", and compare shows param differences.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntrailClient } from '@runtrail/core/client';
import { CLI, REPO, startBackend, tempDataDir, type BackendProcess } from './harness';

let backend: BackendProcess;
let browser: Browser;
const data = tempDataDir();

/** Builds the CLI and pages bundles when missing or built before the pages existed. */
function ensurePagesBuilt(): void {
  const script = join(REPO, 'packages/cli/dist/pages/runtrail-pages.js');
  if (existsSync(CLI) && existsSync(script) && readFileSync(CLI, 'utf8').includes('/_pages/runtrail-pages.js')) return;
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), 'cli', 'pages'], { cwd: REPO, stdio: 'inherit' });
}

function chromiumPath(): string {
  const found = [process.env.RUNTRAIL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
  if (!found) throw new Error('Debian chromium is needed (npm test installs it; or set RUNTRAIL_CHROMIUM)');
  return found;
}

beforeAll(async () => {
  ensurePagesBuilt();
  backend = await startBackend(data.dir, 'pages-secret-token');
  const c = new RuntrailClient({ baseUrl: backend.url, token: backend.token });
  await c.call('createExperiment', { body: { id: 'exp', name: 'churn.ipynb' } });
  const runs = [['run-a', 0.1, 'churn baseline'], ['run-b', 0.02, 'churn tuned'], ['run-c', 0.5, 'churn third']] as const;
  for (const [runId, lr, name] of runs) {
    await c.call('createRun', { body: { id: runId, experimentId: 'exp', name, startTime: 1000 } });
    await c.call('logBatch', {
      params: { runId },
      body: {
        params: [{ key: 'learning_rate', value: lr }, { key: 'optimizer', value: 'adam' }],
        metrics: Array.from({ length: 6 }, (_, step) => ({ key: 'loss', value: lr * 10 - step / 10, step, timestamp: 2000 + step })),
      },
    });
    await c.call('finishRun', { params: { runId }, body: { status: 'finished', endTime: 5000 } });
  }
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});

afterAll(async () => {
  await browser?.close();
  await backend?.stop();
  data.remove();
});

/** A fresh page (own storage) that records API requests, console errors and CSP violations. */
async function openPage(colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; apiCalls: string[]; problems: string[] }> {
  const context = await browser.newContext({ colorScheme });
  const page = await context.newPage();
  const apiCalls: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) apiCalls.push(new URL(r.url()).pathname);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('401')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, apiCalls, problems };
}

// Browser-side expressions are strings: this test project compiles for Node, without the DOM's types.

/** The text a view element renders in its shadow root (innerText does not look inside). */
const viewText = (page: Page, tag: 'rt-run-detail' | 'rt-run-compare') =>
  page.evaluate<string>(`document.querySelector('${tag}')?.shadowRoot?.textContent ?? ''`);

describe('run page /r/:runId', () => {
  it('shows nothing of the run without a token: a sign-in form, focused, and no API call', async () => {
    const { page, apiCalls, problems } = await openPage();
    await page.goto(`${backend.url}/r/run-a`);
    await expect.poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe('rt-token');
    expect(await page.getByLabel('API token').isVisible()).toBe(true);
    const text = await page.locator('body').innerText();
    expect(text).not.toContain('learning_rate');
    expect(text).not.toContain('churn baseline');
    expect(await page.locator('rt-run-detail').count()).toBe(0);
    expect(apiCalls).toEqual([]);
    expect(problems, problems.join('\n')).toEqual([]);
    await page.context().close();
  });

  it('says the server refused a wrong token, and keeps asking', async () => {
    const { page } = await openPage();
    await page.goto(`${backend.url}/r/run-a`);
    await page.getByLabel('API token').fill('not-the-token');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').first().innerText()).toContain('The server refused the token');
    expect(await page.locator('rt-run-detail').count()).toBe(0);
    expect(await page.evaluate<string | null>(`sessionStorage.getItem('runtrail.token')`)).toBeNull();
    await page.context().close();
  });

  it('after signing in with the keyboard, shows the run: its params and a drawn metric chart', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${backend.url}/r/run-a`);
    await page.getByLabel('API token').fill(backend.token);
    await page.keyboard.press('Enter');
    await expect.poll(() => viewText(page, 'rt-run-detail'), { timeout: 15_000 }).toContain('learning_rate');
    const text = await viewText(page, 'rt-run-detail');
    expect(text).toContain('0.1');
    expect(text).toContain('optimizer');
    expect(await page.locator('rt-run-detail h1').innerText()).toContain('churn baseline');
    expect(await page.title()).toBe('Run churn baseline · runtrail');
    // The loss series (6 points) is fetched and drawn on a canvas.
    const canvas = page.locator('rt-metric-chart canvas').first();
    await expect.poll(() => canvas.evaluate((c) => (c as unknown as { width: number }).width).catch(() => 0), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.locator('rt-metric-chart').first().evaluate((c) => (c as unknown as { drawnPoints: number }).drawnPoints)).toBe(6);
    // A reload in the same tab stays signed in (sessionStorage); signing out forgets the token.
    await page.reload();
    await expect.poll(() => viewText(page, 'rt-run-detail'), { timeout: 15_000 }).toContain('learning_rate');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.getByLabel('API token').isVisible()).toBe(true);
    expect(await page.locator('body').innerText()).not.toContain('learning_rate');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('takes a token from the #token= fragment once and removes it from the address', async () => {
    const { page } = await openPage();
    await page.goto(`${backend.url}/r/run-b#token=${encodeURIComponent(backend.token)}`);
    await expect.poll(() => viewText(page, 'rt-run-detail'), { timeout: 15_000 }).toContain('0.02');
    expect(page.url()).toBe(`${backend.url}/r/run-b`);
    await page.context().close();
  });

  it('takes a fragment token pasted into the address of an open sign-in page (no reload happens)', async () => {
    const { page } = await openPage();
    await page.goto(`${backend.url}/r/run-b`);
    await page.getByLabel('API token').waitFor();
    await page.goto(`${backend.url}/r/run-b#token=${encodeURIComponent(backend.token)}`);
    await expect.poll(() => viewText(page, 'rt-run-detail'), { timeout: 15_000 }).toContain('0.02');
    expect(page.url()).toBe(`${backend.url}/r/run-b`);
    await page.context().close();
  });

  it('shows "run not found" for a run the server does not have', async () => {
    const { page } = await openPage();
    await page.goto(`${backend.url}/r/no-such-run#token=${encodeURIComponent(backend.token)}`);
    await expect.poll(() => page.locator('h1').innerText().catch(() => '')).toBe('Run not found');
    expect(await page.getByRole('alert').last().innerText()).toContain('no-such-run');
    await page.context().close();
  });

  it('follows the browser color scheme', async () => {
    const background = async (scheme: 'light' | 'dark') => {
      const { page } = await openPage(scheme);
      await page.goto(`${backend.url}/r/run-a`);
      await page.getByLabel('API token').waitFor();
      const color = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      await page.context().close();
      return color;
    };
    expect(await background('light')).toBe('rgb(255, 255, 255)');
    expect(await background('dark')).toBe('rgb(31, 31, 31)');
  });
});

describe('compare page /compare?runs=a,b', () => {
  it('shows the param differences of two runs', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${backend.url}/compare?runs=run-a,run-b#token=${encodeURIComponent(backend.token)}`);
    const differing = page.locator('rt-run-compare tr.differs');
    await expect.poll(() => differing.allInnerTexts().then((rows) => rows.join('\n')), { timeout: 15_000 }).toContain('learning_rate');
    const row = (await differing.allInnerTexts()).find((r) => r.includes('learning_rate'))!;
    expect(row).toContain('0.1');
    expect(row).toContain('0.02');
    // Equal params are shown but not marked as differing.
    expect((await differing.allInnerTexts()).some((r) => r.includes('optimizer'))).toBe(false);
    expect(await page.title()).toBe('Compare churn baseline ↔ churn tuned · runtrail');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('compares three runs in one table, and names the runs the server does not have', async () => {
    const { page } = await openPage();
    await page.goto(`${backend.url}/compare?runs=run-a,run-b,run-c#token=${encodeURIComponent(backend.token)}`);
    await expect.poll(() => viewText(page, 'rt-run-compare'), { timeout: 15_000 }).toContain('churn third');
    const row = (await page.locator('rt-run-compare tr.differs').allInnerTexts()).find((r) => r.includes('learning_rate'))!;
    expect(row).toMatch(/0\.1[\s\S]*0\.02[\s\S]*0\.5/);
    await page.goto(`${backend.url}/compare?runs=run-a,gone-1,gone-2`);
    await expect.poll(() => page.locator('h1').innerText().catch(() => '')).toBe('Runs not found');
    expect(await page.getByRole('alert').last().innerText()).toContain('gone-1, gone-2');
    await page.context().close();
  });

  it('without a token shows only the sign-in form', async () => {
    const { page, apiCalls } = await openPage();
    await page.goto(`${backend.url}/compare?runs=run-a,run-b`);
    await page.getByLabel('API token').waitFor();
    expect(await page.locator('rt-run-compare').count()).toBe(0);
    expect(apiCalls).toEqual([]);
    await page.context().close();
  });
});
