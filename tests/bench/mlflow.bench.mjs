/**
 * runtrail's MLflow-compatible API against `mlflow server` itself, both on SQLite, in the same run (goals from
 * issue 6):
 *   1. log-batch: batches of 980 metrics + 10 params + 10 tags, 4 writers at once, through the real client
 *      (`MlflowClient().log_batch` in 4 processes; printed) and as the same bodies over bare HTTP (judged: >= 20x).
 *   2. search: the same 100k runs (params model/lr/depth, metrics acc/loss) in both: into runtrail over MLflow's
 *      REST API; into `mlflow server` the first RUNS_OVER_REST the same way, the rest as copies of its own rows
 *      (REST would take it ~30 min). Then `search_runs(filter "metrics.acc > 0.5 and params.model = 'b'",
 *      order_by acc DESC, 100 results)` through the client and over HTTP; goals >= 50x (HTTP p50) and client p50
 *      <= 30 ms at 100k runs. Both servers must return the same 100 runs in the same order. Why HTTP for the
 *      ratios: docs/decisions/0020; how the runs are loaded: 0028.
 * Sync fan-out has its own benchmark (sync-fanout.bench.ts).
 * The full `mlflow` package (pinned below) lives in its own venv under .cache/bench, installed from PyPI on first
 * use, so it never touches the project venv (whose pyarrow pin it conflicts with). Method: docs/benchmarks.md.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MLFLOW_VERSION = '3.17.2';
const CLIENTS = 4;
const BATCHES = Number(process.env.BENCH_MLFLOW_BATCHES ?? 10);
const HTTP_BATCHES = Number(process.env.BENCH_MLFLOW_HTTP_BATCHES ?? 25);
/** Runs for the search; fewer if runtrail cannot take them over REST within LOAD_BUDGET_MS (the goal is then missed). */
const SEARCH_RUNS = Number(process.env.BENCH_MLFLOW_RUNS ?? 100_000);
const LOAD_BUDGET_MS = Number(process.env.BENCH_RUNTRAIL_LOAD_BUDGET_MS ?? 480_000);
/** Runs loaded into `mlflow server` over its REST API (its load rate is printed); the rest are copies of its rows. */
const RUNS_OVER_REST = Number(process.env.BENCH_MLFLOW_REST_RUNS ?? 500);
const LOAD_CHUNK = 1000;
const LOAD_CONCURRENCY = 8;
/**
 * Timed searches through the client and over HTTP, after warm-ups. `mlflow server` takes 30 s to minutes a
 * search at 40-100k runs here, so it gets one through the client (informational) and one over HTTP, no warm-up.
 */
const SEARCHES = {
  runtrail: { client: 30, http: 30, warmups: 3 },
  mlflow: { client: 1, http: 1, warmups: 0 },
};
const GOALS = { logBatchRatio: 20, searchRatio: 50, searchP50Ms: 30 };
const TOKEN = 'bench-token';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundled CLI (built when missing); BENCH_RUNTRAIL_CLI names another bundle, e.g. one built from a commit. */
const CLI = process.env.BENCH_RUNTRAIL_CLI ?? join(ROOT, 'packages', 'cli', 'dist', 'runtrail.mjs');
const DRIVER = join(ROOT, 'tests', 'bench', 'mlflow_bench.py');
if (!existsSync(CLI)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'cli'], { stdio: 'inherit' });

function fail(message) {
  console.error(message);
  process.exit(1);
}

/** mlflow (full package, with `mlflow server`) in .cache/bench/mlflow-<version>, created on first use. */
function ensureMlflow() {
  const venv = join(ROOT, '.cache', 'bench', `mlflow-${MLFLOW_VERSION}`);
  const bin = join(venv, 'bin');
  if (existsSync(join(bin, 'mlflow'))) return bin;
  console.log(`installing mlflow ${MLFLOW_VERSION} into ${venv} (first run only)...`);
  mkdirSync(dirname(venv), { recursive: true });
  if (spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' }).status !== 0) fail('cannot create a venv for mlflow');
  const pip = spawnSync(join(bin, 'pip'), ['install', '--disable-pip-version-check', '-q', `mlflow==${MLFLOW_VERSION}`], { stdio: 'inherit' });
  if (pip.status !== 0) fail(`pip could not install mlflow==${MLFLOW_VERSION}`);
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a child process and returns a stop() that waits for its exit (SIGTERM, then SIGKILL after 10 s). */
function supervise(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function startRuntrail(dataDir) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data', dataDir, '--json'], {
    env: { ...process.env, RUNTRAIL_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { exited, stop } = supervise(child);
  let listening = false;
  void exited.then((code) => listening || fail(`runtrail serve exited (${code}) before listening`));
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  listening = true;
  return { name: 'runtrail', url: JSON.parse(line).url, stop };
}

async function startMlflow(bin, dir) {
  const port = await freePort();
  const child = spawn(
    join(bin, 'mlflow'),
    ['server', '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, '--artifacts-destination', join(dir, 'artifacts'),
      '--host', '127.0.0.1', '--port', String(port)],
    { cwd: dir, env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d.toString()).slice(-4000)));
  const server = { name: `mlflow server ${MLFLOW_VERSION}`, url: `http://127.0.0.1:${port}`, ...supervise(child) };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) fail(`mlflow server exited (${child.exitCode}):\n${err}`);
    if (Date.now() > deadline) fail(`mlflow server did not answer within 120 s:\n${err}`);
    try {
      if ((await fetch(`${server.url}/health`)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One MLflow REST call; a non-2xx answer fails the benchmark with the server's message. */
async function mlflowApi(server, path, body) {
  const res = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) fail(`${server.name}: POST ${path} -> ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

function driverEnv(server) {
  return {
    ...process.env,
    MLFLOW_TRACKING_URI: server.url,
    MLFLOW_TRACKING_TOKEN: TOKEN,
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    GIT_PYTHON_REFRESH: 'quiet',
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
    // mlflow server's search over 100k runs outlasts the client's default 120 s.
    MLFLOW_HTTP_REQUEST_TIMEOUT: '1800',
    PYTHONWARNINGS: 'ignore',
  };
}

/** Starts the driver; resolves each JSON line it prints through `onLine`, rejects on a non-zero exit. */
function driver(python, server, args, onLine = () => {}) {
  const child = spawn(python, [DRIVER, ...args], { env: driverEnv(server), stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d.toString()).slice(-4000)));
  const lines = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const value = JSON.parse(line);
    lines.push(value);
    onLine(value);
  });
  const done = new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`${server.name}: mlflow_bench.py ${args[0]} exited ${code}:\n${err}`)))),
  );
  return { child, done };
}

/** Checks that every point of one key reached each run (m0 holds a twentieth of the points). */
async function checkStored(server, runIds, points) {
  for (const runId of runIds) {
    const res = await fetch(`${server.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m0&max_results=25000`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const history = await res.json();
    if (history.metrics?.length !== points / 20) fail(`${server.name}: run ${runId} has ${history.metrics?.length} points of m0, expected ${points / 20}`);
  }
}

/**
 * Workload 1a, what a user sees: CLIENTS processes of the real client log BATCHES batches each, started together;
 * timed from the start signal to the last client's result (Python start-up and exit excluded).
 */
async function logBatchThroughClient(python, server) {
  const { experiment_id: experimentId } = await mlflowApi(server, 'experiments/create', { name: 'log-batch-client' });
  let ready = 0;
  let go;
  const allReady = new Promise((resolve) => (go = resolve));
  let finished = 0;
  let allDone;
  const lastResult = new Promise((resolve) => (allDone = resolve));
  const clients = Array.from({ length: CLIENTS }, () =>
    driver(python, server, ['logbatch', experimentId, String(BATCHES)], (v) => {
      if (v.ready && ++ready === CLIENTS) go();
      if (v.run_id && ++finished === CLIENTS) allDone(performance.now());
    }),
  );
  const exits = Promise.all(clients.map((c) => c.done));
  await Promise.race([allReady, exits]);
  const started = performance.now();
  for (const c of clients) c.child.stdin.end('go\n');
  const ended = await Promise.race([lastResult, exits.then(() => lastResult)]);
  const results = (await exits).map((lines) => lines.at(-1));
  const points = results.reduce((sum, r) => sum + r.points, 0);
  await checkStored(server, results.map((r) => r.run_id), results[0].points);
  return { ms: ended - started, points, perSecond: points / ((ended - started) / 1000) };
}

/** The JSON body of batch b of the workload: the same metrics, params and tags the Python driver logs. */
function batchBody(runId, b) {
  const now = Date.now();
  const metrics = [];
  for (let s = 0; s < 49; s++) {
    for (let k = 0; k < 20; k++) metrics.push({ key: `m${k}`, value: (b * 49 + s) * 0.001 + k, timestamp: now, step: b * 49 + s });
  }
  const params = Array.from({ length: 10 }, (_, k) => ({ key: `p${b}_${k}`, value: String(k) }));
  const tags = Array.from({ length: 10 }, (_, k) => ({ key: `t${k}`, value: `batch ${b}` }));
  return JSON.stringify({ run_id: runId, metrics, params, tags });
}

/**
 * Workload 1b, the servers alone: the same batches as JSON bodies built beforehand, posted by CLIENTS concurrent
 * HTTP connections (each its own run, batches in order), so the Python client's own cost is out of the figure.
 */
async function logBatchOverHttp(server, batches) {
  const { experiment_id: experimentId } = await mlflowApi(server, 'experiments/create', { name: 'log-batch-http' });
  const bodies = [];
  for (let c = 0; c < CLIENTS; c++) {
    const { run } = await mlflowApi(server, 'runs/create', { experiment_id: experimentId });
    bodies.push({ runId: run.info.run_id, batches: Array.from({ length: batches }, (_, b) => batchBody(run.info.run_id, b)) });
  }
  const started = performance.now();
  await Promise.all(
    bodies.map(async ({ batches: list }) => {
      for (const body of list) {
        const res = await fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body,
        });
        if (!res.ok) fail(`${server.name}: log-batch -> ${res.status} ${(await res.text()).slice(0, 500)}`);
        await res.arrayBuffer();
      }
    }),
  );
  const ms = performance.now() - started;
  const points = CLIENTS * batches * 980;
  await checkStored(server, bodies.map((b) => b.runId), batches * 980);
  return { ms, points, perSecond: points / (ms / 1000) };
}

/** The run with index i: the same params and metrics on both servers; acc values are all distinct. */
function runData(i) {
  const acc = ((i * 7919) % 100_003) / 100_003;
  return {
    name: `run-${i}`,
    params: [
      { key: 'model', value: 'abc'[i % 3] },
      { key: 'lr', value: String((1 + (i % 10)) / 1000) },
      { key: 'depth', value: String(2 + (i % 7)) },
    ],
    metrics: [
      { key: 'acc', value: acc, timestamp: 1_700_000_000_000 + i, step: 0 },
      { key: 'loss', value: 1 - acc, timestamp: 1_700_000_000_000 + i, step: 0 },
    ],
  };
}

/** Loads runs [from, to) over MLflow's REST API (runs/create + runs/log-batch), LOAD_CONCURRENCY at a time. */
async function loadRuns(server, experimentId, from, to) {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      const { name, params, metrics } = runData(i);
      const { run } = await mlflowApi(server, 'runs/create', { experiment_id: experimentId, run_name: name, start_time: 1_700_000_000_000 + i });
      await mlflowApi(server, 'runs/log-batch', { run_id: run.info.run_id, params, metrics });
    }
  };
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
}

/**
 * Loads chunks of runs [from, target) into `server` until done or the budget is spent; returns the count held and
 * the rate of the first and the last 10% of the runs (equal rates: the cost of a run does not grow with the runs).
 */
async function loadWithinBudget(server, experimentId, from, target, budgetMs) {
  const started = performance.now();
  const chunks = [];
  let loaded = from;
  while (loaded < target && performance.now() - started < budgetMs) {
    const to = Math.min(target, loaded + LOAD_CHUNK);
    const chunkStarted = performance.now();
    await loadRuns(server, experimentId, loaded, to);
    chunks.push({ runs: to - loaded, ms: performance.now() - chunkStarted });
    loaded = to;
  }
  const tenth = Math.max(1, Math.round(chunks.length / 10));
  const rate = (list) => list.reduce((n, c) => n + c.runs, 0) / (list.reduce((ms, c) => ms + c.ms, 0) / 1000);
  return { loaded, ms: performance.now() - started, first: rate(chunks.slice(0, tenth)), last: rate(chunks.slice(-tenth)) };
}

const SEARCH_BODY = { filter: "metrics.acc > 0.5 and params.model = 'b'", order_by: ['metrics.acc DESC'], max_results: 100 };

function percentiles(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.floor(sorted.length * 0.95)] };
}

/** POSTs JSON with node:http, which (unlike fetch's 300 s) waits as long as mlflow server's search takes. */
function postWithoutTimeout(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${url} -> ${res.statusCode} ${text.slice(0, 500)}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** search_runs through the real client (driver), then the same search as a bare HTTP call; p50 and p95 of each. */
async function searchLatency(python, server, experimentId, { client, http: repeats, warmups }) {
  const [result] = await driver(python, server, ['search', experimentId, String(client), String(warmups)]).done;
  const body = JSON.stringify({ experiment_ids: [experimentId], ...SEARCH_BODY });
  const http = [];
  let names = [];
  for (let i = 0; i < repeats + warmups; i++) {
    const started = performance.now();
    const json = await postWithoutTimeout(`${server.url}/api/2.0/mlflow/runs/search`, body);
    if (i >= warmups) http.push(performance.now() - started);
    names = (json.runs ?? []).map((r) => r.info.run_name);
  }
  if (JSON.stringify(names) !== JSON.stringify(result.names)) fail(`${server.name}: the client and a bare HTTP call found different runs`);
  return { client: percentiles(result.ms), http: percentiles(http), names };
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const bin = ensureMlflow();
const python = join(bin, 'python');
const dirs = [mkdtempSync(join(tmpdir(), 'runtrail-bench-mlflow-')), mkdtempSync(join(tmpdir(), 'runtrail-bench-mlflow-rt-'))];
const servers = [];
let ok = true;
try {
  const mlflow = await startMlflow(bin, dirs[0]);
  servers.push(mlflow);
  const runtrail = await startRuntrail(dirs[1]);
  servers.push(runtrail);

  // 1. log-batch, through the Python client and over HTTP alone
  const line = (name, r) => console.log(`  ${name.padEnd(22)} ${fmt(r.perSecond).padStart(10)} metric points/s  (${fmt(r.points)} in ${fmt(r.ms)} ms)`);
  const rtClient = await logBatchThroughClient(python, runtrail);
  const mfClient = await logBatchThroughClient(python, mlflow);
  const clientRatio = rtClient.perSecond / mfClient.perSecond;
  console.log(`log-batch through MlflowClient.log_batch: ${CLIENTS} processes x ${BATCHES} calls of 980 metrics + 10 params + 10 tags`);
  line('runtrail', rtClient);
  line(mlflow.name, mfClient);
  console.log(`  ratio ${fmt(clientRatio, 1)}x (informational: the Python client's own cost per call bounds both; see docs/benchmarks.md)`);
  const rtHttp = await logBatchOverHttp(runtrail, HTTP_BATCHES);
  const mfHttp = await logBatchOverHttp(mlflow, HTTP_BATCHES);
  const httpRatio = rtHttp.perSecond / mfHttp.perSecond;
  console.log(`log-batch over HTTP, bodies built beforehand: ${CLIENTS} connections x ${HTTP_BATCHES} batches of the same shape`);
  line('runtrail', rtHttp);
  line(mlflow.name, mfHttp);
  console.log(`  ratio ${fmt(httpRatio, 1)}x (goal >= ${GOALS.logBatchRatio}x): ${httpRatio >= GOALS.logBatchRatio ? 'met' : 'NOT met'}`);
  ok &&= httpRatio >= GOALS.logBatchRatio;

  // 2. search: runtrail over REST first (it sets the size), then the same runs into mlflow.
  const rtExperiment = (await mlflowApi(runtrail, 'experiments/create', { name: 'search' })).experiment_id;
  const mfExperiment = (await mlflowApi(mlflow, 'experiments/create', { name: 'search' })).experiment_id;
  const rtLoad = await loadWithinBudget(runtrail, rtExperiment, 0, SEARCH_RUNS, LOAD_BUDGET_MS);
  const n = rtLoad.loaded;
  const mfRest = Math.min(n, RUNS_OVER_REST);
  const mfStarted = performance.now();
  await loadRuns(mlflow, mfExperiment, 0, mfRest);
  const mfRestMs = performance.now() - mfStarted;
  const cloneStarted = performance.now();
  if (n > mfRest) await driver(python, mlflow, ['clone', mfExperiment, String(mfRest), String(n), join(dirs[0], 'mlflow.db')]).done;
  const cloneMs = performance.now() - cloneStarted;
  console.log(`search_runs over ${fmt(n)} runs (filter metrics.acc > 0.5 and params.model = 'b', order_by acc DESC, 100 results):`);
  console.log(`  runtrail loaded over MLflow REST (runs/create + runs/log-batch, ${LOAD_CONCURRENCY} at a time): ` +
    `${fmt(n / (rtLoad.ms / 1000))} runs/s (first 10% ${fmt(rtLoad.first)}, last 10% ${fmt(rtLoad.last)})` +
    (n < SEARCH_RUNS ? `; only ${fmt(n)} of ${fmt(SEARCH_RUNS)} runs in the ${LOAD_BUDGET_MS / 1000} s budget` : ''));
  console.log(`  mlflow: ${fmt(mfRest)} runs over the same REST calls at ${fmt(mfRest / (mfRestMs / 1000))} runs/s, ` +
    `${fmt(n - mfRest)} more as copies of its rows in ${fmt(cloneMs / 1000, 1)} s`);
  const mfSearch = await searchLatency(python, mlflow, mfExperiment, SEARCHES.mlflow);
  const rtSearch = await searchLatency(python, runtrail, rtExperiment, SEARCHES.runtrail);
  if (JSON.stringify(mfSearch.names) !== JSON.stringify(rtSearch.names)) fail('runtrail and mlflow returned different runs for the same search');
  if (n >= 600 && rtSearch.names.length !== 100) fail(`search returned ${rtSearch.names.length} runs, expected 100`);
  const searchRatio = mfSearch.http.p50 / rtSearch.http.p50;
  const lat = (x) => `p50 ${fmt(x.p50, 1).padStart(7)} ms  p95 ${fmt(x.p95, 1).padStart(7)} ms`;
  console.log(`  ${''.padEnd(22)} ${'MlflowClient.search_runs'.padEnd(31)} bare HTTP runs/search`);
  const timed = ({ client, http }) => `(${client} + ${http} timed)`;
  console.log(`  ${'runtrail'.padEnd(22)} ${lat(rtSearch.client)}   ${lat(rtSearch.http)}   ${timed(SEARCHES.runtrail)}`);
  console.log(`  ${mlflow.name.padEnd(22)} ${lat(mfSearch.client)}   ${lat(mfSearch.http)}   ${timed(SEARCHES.mlflow)}`);
  console.log(`  ratio of p50: client ${fmt(mfSearch.client.p50 / rtSearch.client.p50, 1)}x (informational), ` +
    `HTTP ${fmt(searchRatio, 1)}x (goal >= ${GOALS.searchRatio}x): ${searchRatio >= GOALS.searchRatio ? 'met' : 'NOT met'}`);
  ok &&= searchRatio >= GOALS.searchRatio;
  const p50 = rtSearch.client.p50;
  const fast = p50 <= GOALS.searchP50Ms && n >= SEARCH_RUNS;
  console.log(`  goal search_runs p50 <= ${GOALS.searchP50Ms} ms at ${fmt(SEARCH_RUNS)} runs: ${fast ? 'met' : `NOT met (p50 ${fmt(p50, 1)} ms at ${fmt(n)} runs)`}`);
  ok &&= fast;
} finally {
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
console.log(`goals: ${ok ? 'met' : 'NOT met'}`);
process.exitCode = ok ? 0 : 1;
