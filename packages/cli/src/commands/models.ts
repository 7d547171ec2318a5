/** `runtrail models list|show|register|alias|stage|lineage|delete`: the model registry from the terminal. */
import type { Command } from 'commander';
import { RuntrailApiError } from '@runtrail/core/client';
import type { ModelStage, Tag } from '@runtrail/core/schema';
import { connect, type ConnectionOptions } from '../connection';
import { CliError } from '../errors';
import { table, when } from '../format';

type Print = (text: string) => void;
interface Options extends ConnectionOptions {
  json?: boolean;
}

const STAGES: ModelStage[] = ['None', 'Staging', 'Production', 'Archived'];
const collect = (value: string, previous: string[] = []) => [...previous, value];

function version(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`version must be a positive integer, got '${text}'`, 2);
  return n;
}

function tags(pairs: string[] = []): Tag[] {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new CliError(`--tag ${pair}: expected key=value`, 2);
    return { key: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'backend URL (env RUNTRAIL_URL; default http://127.0.0.1:8734)')
    .option('--token <token>', 'API token (env RUNTRAIL_TOKEN; default: the local data folder token)')
    .option('--data <dir>', 'local data folder holding the token (env RUNTRAIL_DATA; default ~/.runtrail)')
    .option('--json', 'print JSON instead of text');
}

async function list(options: Options & { nameLike?: string; limit: string }, print: Print) {
  const pageSize = Number(options.limit);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new CliError(`--limit must be 1-1000, got '${options.limit}'`, 2);
  const page = await connect(options).call('listModels', { query: { pageSize, ...(options.nameLike ? { nameLike: options.nameLike } : {}) } });
  if (options.json) return print(JSON.stringify(page, null, 2));
  if (page.models.length === 0) return print('no registered models');
  print(table(['name', 'versions', 'aliases', 'updated', 'description'], page.models.map((m) => [
    m.name, String(m.latestVersion), m.aliases.map((a) => `${a.alias}=v${a.version}`).join(' ') || '-', when(m.updatedAt), m.description.split('\n')[0]!.slice(0, 40),
  ])));
}

async function show(name: string, options: Options, print: Print) {
  const client = connect(options);
  const params = { modelName: name };
  const [model, { versions }, { entries }] = await Promise.all([
    client.call('getModel', { params }), client.call('listModelVersions', { params }), client.call('modelAudit', { params }),
  ]);
  if (options.json) return print(JSON.stringify({ model, versions, audit: entries }, null, 2));
  const out = [`model ${model.name}   versions ${versions.length} (latest number ${model.latestVersion})`];
  if (model.description) out.push(`  ${model.description}`);
  if (model.tags.length) out.push(`  tags ${model.tags.map((t) => `${t.key}=${t.value}`).join(' ')}`);
  if (versions.length) {
    out.push('', 'versions', ...table(['version', 'stage', 'aliases', 'run', 'source', 'files', 'created'], versions.map((v) => [
      String(v.version), v.stage, v.aliases.join(' ') || '-', v.runId, v.source || '.', String(v.artifacts.length), when(v.createdAt),
    ])).split('\n').map((l) => '  ' + l));
  }
  const changes = entries.filter((e) => e.action.startsWith('alias.') || e.action === 'stage.transition').slice(-10);
  if (changes.length) {
    out.push('', 'recent alias and stage changes', ...table(['when', 'who', 'what', 'from', 'to'], changes.map((e) => [
      when(e.at), e.actor, e.target, e.from ?? '-', e.to ?? '-',
    ])).split('\n').map((l) => '  ' + l));
  }
  print(out.join('\n'));
}

async function register(name: string, options: Options & { run: string; path: string; description?: string; tag?: string[] }, print: Print) {
  const client = connect(options);
  try {
    await client.call('getModel', { params: { modelName: name } });
  } catch (error) {
    if (!(error instanceof RuntrailApiError && error.status === 404)) throw error;
    await client.call('createModel', { body: { name } });
  }
  const created = await client.call('createModelVersion', {
    params: { modelName: name },
    body: { runId: options.run, path: options.path, description: options.description ?? '', tags: tags(options.tag) },
  });
  if (options.json) return print(JSON.stringify(created, null, 2));
  print(`registered ${name} version ${created.version} from run ${created.runId} (${created.source || 'all artifacts'}, ${created.artifacts.length} files)`);
}

async function alias(name: string, aliasName: string, versionText: string | undefined, options: Options & { delete?: boolean }, print: Print) {
  const client = connect(options);
  if (options.delete) {
    if (versionText) throw new CliError('--delete takes no version', 2);
    await client.call('deleteModelAlias', { params: { modelName: name, alias: aliasName } });
    return print(options.json ? JSON.stringify({ deleted: `${name}@${aliasName}` }) : `removed alias ${aliasName} of ${name}`);
  }
  if (!versionText) throw new CliError('alias needs a version (or --delete)', 2);
  const set = await client.call('setModelAlias', { params: { modelName: name, alias: aliasName }, body: { version: version(versionText) } });
  print(options.json ? JSON.stringify(set) : `${name}@${set.alias} -> version ${set.version}`);
}

async function stage(name: string, versionText: string, stageName: string, options: Options & { archiveExisting?: boolean }, print: Print) {
  const target = STAGES.find((s) => s.toLowerCase() === stageName.toLowerCase());
  if (!target) throw new CliError(`stage must be one of ${STAGES.join(', ')}, got '${stageName}'`, 2);
  const moved = await connect(options).call('transitionModelVersionStage', {
    params: { modelName: name, version: version(versionText) },
    body: { stage: target, archiveExisting: options.archiveExisting ?? false },
  });
  print(options.json ? JSON.stringify(moved, null, 2) : `${name} version ${moved.version} is now ${moved.stage}`);
}

async function lineage(name: string, versionText: string, options: Options, print: Print) {
  const found = await connect(options).call('modelVersionLineage', { params: { modelName: name, version: version(versionText) } });
  if (options.json) return print(JSON.stringify(found, null, 2));
  const { run } = found;
  const out = [`${name} version ${found.version.version} <- run ${found.version.runId}${run ? ` (${run.name || 'unnamed'}, ${run.status})` : ' (run deleted)'}`];
  if (found.snapshots.length) out.push('', 'data', ...found.snapshots.map((s) => `  ${s.name}  ${s.kind}  ${s.shape.join('x')}  ${s.fingerprint.slice(0, 16)}`));
  if (found.cells.length) out.push('', 'code', ...found.cells.flatMap((c) => [`  [${c.executionCount ?? ' '}] cell ${c.cellId}`, ...c.source.split('\n').map((l) => `      ${l}`)]));
  print(out.join('\n'));
}

async function remove(name: string, options: Options & { modelVersion?: string; yes?: boolean }, print: Print) {
  const what = options.modelVersion ? `${name}/${version(options.modelVersion)}` : name;
  if (!options.yes) throw new CliError(`deleting ${what} is permanent: add --yes to confirm`, 2);
  const client = connect(options);
  const result = options.modelVersion
    ? await client.call('deleteModelVersion', { params: { modelName: name, version: version(options.modelVersion) }, query: { confirm: what } })
    : await client.call('deleteModel', { params: { modelName: name }, query: { confirm: what } });
  print(options.json ? JSON.stringify(result) : `deleted ${result.deleted}`);
}

/** Adds the `models` command group to `program`. */
export function addModelCommands(program: Command, print: Print): Command {
  const models = program.command('models').description('the model registry: versions, aliases, stages, lineage');
  withConnection(models.command('list'))
    .description('list registered models')
    .option('--name-like <pattern>', "SQL LIKE pattern, e.g. 'churn%'")
    .option('-n, --limit <n>', 'how many models', '100')
    .action((options) => list(options, print));
  withConnection(models.command('show'))
    .description('one model: versions, aliases, recent alias and stage changes')
    .argument('<name>')
    .action((name, options) => show(name, options, print));
  withConnection(models.command('register'))
    .description("register a new version from a run's artifacts (creates the model if needed)")
    .argument('<name>')
    .requiredOption('-r, --run <run-id>', 'the run that produced the model')
    .option('-p, --path <path>', 'artifact file or folder in the run', 'model')
    .option('-d, --description <text>', 'description of the version')
    .option('-t, --tag <key=value>', 'tag of the version (repeatable)', collect)
    .action((name, options) => register(name, options, print));
  withConnection(models.command('alias'))
    .description('point an alias at a version, or remove it with --delete')
    .argument('<name>')
    .argument('<alias>')
    .argument('[version]')
    .option('--delete', 'remove the alias')
    .action((name, aliasName, versionText, options) => alias(name, aliasName, versionText, options, print));
  withConnection(models.command('stage'))
    .description('move a version to None, Staging, Production or Archived')
    .argument('<name>')
    .argument('<version>')
    .argument('<stage>')
    .option('--archive-existing', 'archive the other versions in that stage')
    .action((name, versionText, stageName, options) => stage(name, versionText, stageName, options, print));
  withConnection(models.command('lineage'))
    .description('where a version came from: run, data snapshots, code cells')
    .argument('<name>')
    .argument('<version>')
    .action((name, versionText, options) => lineage(name, versionText, options, print));
  withConnection(models.command('delete'))
    .description('delete a model, or one version with --model-version, permanently')
    .argument('<name>')
    .option('--model-version <n>', 'only this version')
    .option('-y, --yes', 'confirm the permanent delete')
    .action((name, options) => remove(name, options, print));
  return models;
}
