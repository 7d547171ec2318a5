/**
 * Entry of the in-host tests: VS Code loads this module inside the real extension host (code-server with
 * `extensionTestsPath`) and awaits `run()`. Suites are registered after mocha's BDD globals exist, because the
 * bundler hoists imports above any setup code. Results go to $RUNTRAIL_INHOST_RESULTS (mocha's JSON reporter).
 */
import Mocha from 'mocha';
import { commandSuite } from './commands.test';
import { modelsSuite } from './models.test';
import { notebookSuite } from './notebook.test';
import { settingsSuite } from './settings.test';
import { viewsSuite } from './views.test';

/** Runs every suite; rejects when any test failed (VS Code then exits with code 1). */
export function run(): Promise<void> {
  const output = process.env.RUNTRAIL_INHOST_RESULTS ?? '/tmp/runtrail-inhost.json';
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'json', reporterOptions: { output } });
  mocha.suite.emit('pre-require', globalThis, 'inhost', mocha);
  settingsSuite();
  commandSuite();
  viewsSuite();
  modelsSuite();
  notebookSuite();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} in-host test(s) failed`)) : resolve()));
  });
}
