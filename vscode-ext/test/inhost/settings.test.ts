/** Configuration and SecretStorage, through the real VS Code APIs. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { tokenSecretKey } from '../../src/platform/settings';
import { runtrail, until } from './helpers';

/** Registers the configuration and secret storage suite. */
export function settingsSuite(): void {
  describe('configuration and SecretStorage', () => {
    let serverUrl = '';
    before(async () => {
      const api = await runtrail();
      await api.connected();
      serverUrl = api.settings.serverUrl();
      assert.ok(serverUrl.startsWith('http://127.0.0.1:'), `serverUrl setting is ${serverUrl}`);
      // Start without a stored secret (the e2e tests may have stored one through Connect to Server).
      await api.settings.save(serverUrl, '');
    });

    it('declares runtrail.serverUrl with an empty default, application scope', () => {
      const inspected = vscode.workspace.getConfiguration('runtrail').inspect<string>('serverUrl');
      assert.equal(inspected?.defaultValue, '');
      assert.equal(inspected?.globalValue, serverUrl);
    });

    it('falls back to $RUNTRAIL_TOKEN while no secret is stored', async () => {
      const api = await runtrail();
      assert.equal(await api.settings.token(), process.env.RUNTRAIL_TOKEN);
      await until(() => api.history.state.kind === 'online', 'online with the env token');
    });

    it('uses the token stored in SecretStorage, and reconnects when it changes', async () => {
      const api = await runtrail();
      await api.settings.save(serverUrl, 'not-the-token');
      await until(() => api.history.state.kind === 'unauthorized', 'the refused token to show');
      await api.settings.save(serverUrl, process.env.RUNTRAIL_TOKEN!);
      await until(() => api.history.state.kind === 'online', 'online with the stored token');
      assert.equal(await api.settings.token(), process.env.RUNTRAIL_TOKEN);
    });

    it('keys secrets by server URL, ignoring a trailing slash', () => {
      assert.equal(tokenSecretKey('http://h:1/'), tokenSecretKey('http://h:1'));
      assert.notEqual(tokenSecretKey('http://h:1'), tokenSecretKey('http://h:2'));
    });

    it('reconnects to another server when the setting changes, and back', async () => {
      const api = await runtrail();
      const config = vscode.workspace.getConfiguration('runtrail');
      await config.update('serverUrl', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Global);
      await until(() => api.history.state.kind === 'offline' && api.history.state.serverUrl === 'http://127.0.0.1:9', 'offline on port 9');
      await config.update('serverUrl', serverUrl, vscode.ConfigurationTarget.Global);
      await until(() => api.history.state.kind === 'online' && api.history.state.serverUrl === serverUrl, 'back online');
    });

    it('deletes the secret when saved with an empty token', async () => {
      const api = await runtrail();
      await api.settings.save(serverUrl, '');
      assert.equal(await api.settings.token(), process.env.RUNTRAIL_TOKEN, 'back to the env fallback');
    });
  });
}
