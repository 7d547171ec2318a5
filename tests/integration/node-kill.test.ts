/**
 * Fault test: four clients ingest into two `runtrail serve` nodes on one PostgreSQL, and one node is killed with
 * SIGKILL in the middle. Clients behave as they would behind a load balancer: client-generated run ids, and a
 * request that fails on the connection (refused, reset, cut mid-response) is sent again to the other node.
 * Afterwards every write a client saw acknowledged is present exactly once — through the API of the surviving
 * node, of a node started after the kill, and directly in SQL (index tables and the experiment doc's stored
 * updates) — and nothing is duplicated.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createExperimentDoc, readParams, runsMap } from '@runtrail/core/sync';
import { startTestPostgres, type TestPostgres } from '../../backend/store/postgres/test-server';
import { ensureBuilt, startBackend, tempDataDir, type BackendProcess } from './harness';

const TOKEN = 'node-kill-token';
const EXPERIMENT = 'exp-node-kill';
const CLIENTS = 4;
const RUNS_PER_CLIENT = 8;
const BATCHES_PER_RUN = 6;
const POINTS_PER_BATCH = 100;
const KEYS = ['loss', 'acc'];

let server: TestPostgres;
let db: string;
const nodes: BackendProcess[] = [];
const folders: { remove(): void }[] = [];
beforeAll(async () => {
  ensureBuilt();
  server = await startTestPostgres();
  db = await server.createDatabase();
  for (let i = 0; i < 2; i++) nodes.push(await startNode());
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  for (const f of folders) f.remove();
  await server?.stop();
});

async function startNode(): Promise<BackendProcess> {
  const data = tempDataDir();
  folders.push(data);
  return startBackend(data.dir, TOKEN, 0, ['--db', db]);
}

/** One write as a client sends it: the same request, byte for byte, on every attempt. */
interface Write {
  path: string;
  body: unknown;
}

/** What a run must hold once every write is in. */
interface ExpectedRun {
  params: Map<string, unknown>;
  steps: Map<string, number[]>;
}

const runId = (client: number, run: number) => `kill-c${client}-r${run}`;
/** Run `r` of a client logs through the MLflow API when `r` is odd, through runtrail's REST API when even. */
const viaMlflow = (run: number) => run % 2 === 1;

/** The writes of one client, in order, and what they leave behind. */
function planClient(client: number): { writes: Write[]; expected: Map<string, ExpectedRun> } {
  const writes: Write[] = [];
  const expected = new Map<string, ExpectedRun>();
  for (let r = 0; r < RUNS_PER_CLIENT; r++) {
    const id = runId(client, r);
    const run: ExpectedRun = { params: new Map(), steps: new Map(KEYS.map((k) => [k, []])) };
    expected.set(id, run);
    writes.push({ path: '/api/v1/runs', body: { id, experimentId: EXPERIMENT, name: id, tags: [{ key: 'client', value: String(client) }] } });
    const lr = 0.001 * (client + 1) * (r + 1);
    if (viaMlflow(r)) {
      writes.push({ path: '/api/2.0/mlflow/runs/log-batch', body: { run_id: id, params: [{ key: 'lr', value: String(lr) }, { key: 'layers', value: String(r) }] } });
      run.params.set('lr', String(lr)).set('layers', String(r));
    } else {
      writes.push({ path: `/api/v1/runs/${id}/log-batch`, body: { params: [{ key: 'lr', value: lr }, { key: 'layers', value: r }] } });
      run.params.set('lr', lr).set('layers', r);
    }
    for (let b = 0; b < BATCHES_PER_RUN; b++) {
      const points = KEYS.flatMap((key) =>
        Array.from({ length: POINTS_PER_BATCH / KEYS.length }, (_, i) => {
          const step = b * (POINTS_PER_BATCH / KEYS.length) + i;
          run.steps.get(key)!.push(step);
          return { key, step, value: (client + 1) * 1_000 + r * 10 + step / 1_000, timestamp: 1_700_000_000_000 + step };
        }),
      );
      writes.push(
        viaMlflow(r)
          ? { path: '/api/2.0/mlflow/runs/log-batch', body: { run_id: id, metrics: points } }
          : { path: `/api/v1/runs/${id}/log-batch`, body: { metrics: points } },
      );
    }
  }
  return { writes, expected };
}

/** Counts of what the clients saw. */
const seen = { acknowledged: 0, retriedOnOtherNode: 0, cutInFlight: 0 };
/** Requests sent to each node and not answered yet. */
const inFlight = [0, 0];

/**
 * Sends `write` to the client's node; when the connection fails, to the other node, back and forth until one
 * acknowledges it. A response other than 2xx is a test failure (no write here is invalid).
 */
async function send(preferred: number, write: Write): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 0; ; attempt++) {
    const index = (preferred + attempt) % 2;
    const node = nodes[index]!;
    if (attempt > 0) seen.retriedOnOtherNode++;
    let response: Response;
    inFlight[index]!++;
    try {
      response = await fetch(`${node.url}${write.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(write.body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`POST ${write.path} on ${node.url} -> ${response.status} ${text}`);
    } catch (error) {
      // fetch fails with a TypeError when the connection is refused or cut; anything else is a real failure.
      if (!(error instanceof TypeError) || Date.now() > deadline) throw error;
      // Refused: the node was already gone. Anything else: the request reached it and the connection was cut.
      if ((error.cause as NodeJS.ErrnoException | undefined)?.code !== 'ECONNREFUSED') seen.cutInFlight++;
      await new Promise((r) => setTimeout(r, 20));
      continue;
    } finally {
      inFlight[index]!--;
    }
    seen.acknowledged++;
    return;
  }
}

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function api<T>(node: BackendProcess, path: string): Promise<T> {
  const res = await fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** Checks through a node's REST API that each run holds exactly the expected params and metric points. */
async function checkThroughApi(node: BackendProcess, expected: Map<string, ExpectedRun>): Promise<void> {
  for (const [id, want] of expected) {
    const run = await api<{ params: { key: string; value: unknown }[]; metrics: { key: string; count: number }[] }>(node, `/api/v1/runs/${id}`);
    expect(new Map(run.params.map((p) => [p.key, p.value])), id).toEqual(want.params);
    for (const [key, steps] of want.steps) {
      const history = await api<{ points: { step: number }[] }>(node, `/api/v1/runs/${id}/metric-history?key=${key}`);
      expect(history.points.map((p) => p.step), `${id} ${key}`).toEqual(steps);
      // The run's summary counted each point once, retries included.
      expect(run.metrics.find((m) => m.key === key)?.count, `${id} ${key} count`).toBe(steps.length);
    }
  }
  const search = await fetch(`${node.url}/api/v1/runs/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ experimentIds: [EXPERIMENT], pageSize: 100 }),
  });
  expect(search.status).toBe(200);
  const ids = ((await search.json()) as { runs: { id: string }[] }).runs.map((r) => r.id);
  expect(ids.sort()).toEqual([...expected.keys()].sort());
}

describe('kill -9 one of two nodes during ingest from four clients', () => {
  it('loses no acknowledged write and duplicates none', async () => {
    const [node1] = nodes as [BackendProcess, BackendProcess];
    await fetch(`${node1.url}/api/v1/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ id: EXPERIMENT, name: 'node kill' }),
    }).then((res) => expect(res.status).toBe(201));

    const plans = Array.from({ length: CLIENTS }, (_, c) => planClient(c));
    const expected = new Map(plans.flatMap((p) => [...p.expected]));
    const total = plans.reduce((n, p) => n + p.writes.length, 0);
    // Clients 0 and 2 prefer node 1, clients 1 and 3 node 2.
    const started = performance.now();
    const ingest = Promise.all(plans.map(async (plan, c) => {
      for (const write of plan.writes) await send(c % 2, write);
    }));
    // A third in, at a moment when node 1 is handling a request.
    while (seen.acknowledged < total / 3 || inFlight[0] === 0) await new Promise((r) => setTimeout(r, 1));
    const killedAt = seen.acknowledged;
    expect(await node1.stop('SIGKILL')).toBeNull();
    await ingest;
    console.log(
      `node kill: ${total} writes in ${((performance.now() - started) / 1000).toFixed(1)} s, node 1 killed after ${killedAt} ` +
        `acknowledgements, ${seen.cutInFlight} requests cut in flight, ${seen.retriedOnOtherNode} retries on the other node`,
    );
    expect(seen.acknowledged).toBe(total);
    expect(killedAt).toBeLessThan(total);
    expect(seen.cutInFlight).toBeGreaterThanOrEqual(1);

    // Through the surviving node's API.
    const survivor = nodes[1]!;
    await checkThroughApi(survivor, expected);

    // Directly in SQL: one row per run, per param, per metric point; nothing else in the experiment.
    const runRows = await sql<{ id: string }>('SELECT id FROM runs WHERE experiment_id = $1 ORDER BY id', [EXPERIMENT]);
    expect(runRows.map((r) => r.id)).toEqual([...expected.keys()].sort());
    const points = await sql<{ run_id: string; key: string; n: string; distinct_steps: string }>(
      `SELECT run_id, key, count(*) AS n, count(DISTINCT step) AS distinct_steps FROM metrics WHERE run_id LIKE 'kill-%' GROUP BY run_id, key`,
    );
    expect(points).toHaveLength(expected.size * KEYS.length);
    for (const row of points) {
      const steps = expected.get(row.run_id)!.steps.get(row.key)!;
      expect([Number(row.n), Number(row.distinct_steps)], `${row.run_id} ${row.key}`).toEqual([steps.length, steps.length]);
    }
    const params = await sql<{ n: string }>(`SELECT count(*) AS n FROM run_params WHERE run_id LIKE 'kill-%'`);
    expect(Number(params[0]!.n)).toBe(expected.size * 2);

    // The experiment doc, rebuilt from its stored updates (the source of truth), holds each run once.
    const updates = await sql<{ data: Buffer }>('SELECT data FROM doc_updates WHERE doc = $1 ORDER BY seq', [EXPERIMENT]);
    const doc = createExperimentDoc();
    Y.applyUpdate(doc, Y.mergeUpdates(updates.map((u) => new Uint8Array(u.data))));
    const runs = runsMap(doc);
    expect([...runs.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, want] of expected) {
      expect(new Map([...readParams(runs.get(id)!)].map(([key, p]) => [key, p.value])), id).toEqual(want.params);
    }

    // A node started after the kill loads the same state.
    const restarted = await startNode();
    nodes[0] = restarted;
    await checkThroughApi(restarted, expected);
  }, 300_000); // ingest alone takes 15-30 s on two idle cores; more when other suites share them
});
