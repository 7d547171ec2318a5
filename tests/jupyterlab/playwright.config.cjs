// Galata in Debian Chromium against a real JupyterLab + ipykernel; run by tests/jupyterlab/run.mjs, which
// picks the ports, prepares the folders and settings, and starts the runtrail backend the specs control.
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

module.exports = {
  ...baseConfig,
  testDir: __dirname,
  testMatch: '*.spec.ts',
  reporter: [['list'], ['json', { outputFile: process.env.RUNTRAIL_JLAB_REPORT }]],
  outputDir: process.env.RUNTRAIL_JLAB_OUTPUT,
  timeout: 240000,
  retries: 0,
  workers: 1,
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${process.env.JLAB_PORT}`,
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.RUNTRAIL_CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    },
  },
  webServer: {
    command: `"${process.env.RUNTRAIL_VENV_BIN}/jupyter" lab --config "${__dirname}/jupyter_server_test_config.py"`,
    url: `http://127.0.0.1:${process.env.JLAB_PORT}/lab`,
    timeout: 120000,
    reuseExistingServer: false,
    env: { ...process.env, PATH: `${process.env.RUNTRAIL_VENV_BIN}:${process.env.PATH}` },
  },
};
