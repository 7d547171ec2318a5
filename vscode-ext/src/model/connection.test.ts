import { describe, expect, it } from 'vitest';
import { isConfigured, runsViewMessage, statusBarView, type ConnectionState } from './connection';

const url = 'http://127.0.0.1:8734';

describe('statusBarView', () => {
  it('offers to connect when nothing is configured', () => {
    expect(statusBarView({ kind: 'unconfigured' })).toMatchObject({ command: 'runtrail.connect', text: '$(plug) runtrail' });
  });

  it('says whether live updates are on', () => {
    expect(statusBarView({ kind: 'online', serverUrl: url, live: true }).text).toBe('$(cloud) runtrail');
    expect(statusBarView({ kind: 'online', serverUrl: url, live: false }).text).toContain('syncing');
  });

  it('warns when offline and says what is shown', () => {
    const view = statusBarView({ kind: 'offline', serverUrl: url, reason: 'fetch failed', cachedAt: null });
    expect(view).toMatchObject({ text: '$(cloud-offline) runtrail: offline', background: 'statusBarItem.warningBackground', command: 'runtrail.refresh' });
    expect(view.tooltip).toContain('nothing cached yet');
    expect(statusBarView({ kind: 'offline', serverUrl: url, reason: 'x', cachedAt: 0 }).tooltip).toContain('last known state');
  });

  it('shows captured writes waiting to upload next to the connection, and nothing when there are none', () => {
    const offline: ConnectionState = { kind: 'offline', serverUrl: url, reason: 'fetch failed', cachedAt: 0 };
    expect(statusBarView(offline, 0)).toEqual(statusBarView(offline));
    const view = statusBarView(offline, 3);
    expect(view.text).toBe('$(cloud-offline) runtrail: offline $(cloud-upload) 3');
    expect(view.tooltip).toContain('3 captured writes waiting to upload (kept on disk and uploaded once the server answers)');
    expect(statusBarView({ kind: 'online', serverUrl: url, live: true }, 1).tooltip).toContain('1 captured write waiting to upload (uploading now)');
  });

  it('sends a refused token to Connect', () => {
    expect(statusBarView({ kind: 'unauthorized', serverUrl: url, reason: '401' })).toMatchObject({
      command: 'runtrail.connect',
      background: 'statusBarItem.errorBackground',
    });
  });
});

describe('runsViewMessage', () => {
  it('speaks only when there is something to say', () => {
    const states: ConnectionState[] = [{ kind: 'unconfigured' }, { kind: 'online', serverUrl: url, live: true }];
    for (const state of states) expect(runsViewMessage(state)).toBeUndefined();
    expect(runsViewMessage({ kind: 'offline', serverUrl: url, reason: 'x', cachedAt: 0 })).toMatch(/^Offline: showing the last known state/);
    expect(runsViewMessage({ kind: 'offline', serverUrl: url, reason: 'x', cachedAt: null })).toContain('nothing was saved');
    expect(runsViewMessage({ kind: 'unauthorized', serverUrl: url, reason: 'x' })).toContain('Connect to Server');
  });

  it('treats every state but unconfigured as configured', () => {
    expect(isConfigured({ kind: 'unconfigured' })).toBe(false);
    expect(isConfigured({ kind: 'connecting', serverUrl: url })).toBe(true);
  });
});
