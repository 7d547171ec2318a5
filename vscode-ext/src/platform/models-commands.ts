/**
 * Commands of the Models view (Refresh, Copy Model URI/Name, Open Source Run, Set/Remove Alias, Show Lineage,
 * Delete Model) and "Register Model from Run…" (Runs view and palette). Each takes its target from the view
 * node it was invoked on (or `{ modelName, version }`), asks what is missing, and returns what it did, so
 * in-host tests can call it with arguments. A refused request is shown with the server's reason.
 */
import { RuntrailApiError } from '@runtrail/core/client';
import type { ModelVersion } from '@runtrail/core/schema';
import type { RunHistory } from '../history/history';
import { modelTargetOf, modelUri } from '../model/models';
import { artifactPickItems, lineagePickItems, modelNameError, modelNamePickItems } from '../model/models-picks';
import type { ModelRegistry } from '../model/models-registry';
import { runPickItems } from '../model/pick';
import type { ModelsView } from './models-view';
import { confirmModelDelete, copyText, inform, pickAlias, pickArtifact, pickLineageItem, pickModelName, promptForAlias, showCode } from './models-prompts';
import { pickRuns, showError, warn } from './prompts';

/** What the Models commands need from the extension. */
export interface ModelCommandDeps {
  registry: ModelRegistry;
  history: RunHistory;
  modelsView: ModelsView;
  /** The runs a command was invoked on (arguments, else the Runs view's selection). */
  targetRuns: (args: unknown[]) => string[];
  openRun: (runId: string) => void;
  log: (line: string) => void;
}

/** `{ path, modelName }` given to Register Model from Run by a caller (a test, a keybinding) to skip the prompts. */
interface RegisterOptions {
  path?: string;
  modelName?: string;
}

function registerOptionsOf(args: readonly unknown[]): RegisterOptions {
  const found = args.find((a): a is RegisterOptions => !!a && typeof a === 'object' && !Array.isArray(a) && ('path' in a || 'modelName' in a));
  return found ?? {};
}

function describeError(error: unknown): string {
  if (error instanceof RuntrailApiError) return `${error.message}${error.path ? ` (${error.path})` : ''}`;
  return (error as Error).message ?? String(error);
}

/** The handlers by command id, for `registerCommand`. */
export function modelCommands(deps: ModelCommandDeps): Record<string, (...args: unknown[]) => unknown> {
  const { registry, history, log } = deps;

  /** Runs `action`; a failure is shown and logged, and the command resolves null. */
  const guarded =
    <A extends unknown[], R>(what: string, action: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R | null> => {
      try {
        return await action(...args);
      } catch (error) {
        log(`${what} failed: ${describeError(error)}`);
        showError(`runtrail: ${what} failed: ${describeError(error)}`);
        return null;
      }
    };

  /** The model or version a command acts on: its argument, else the Models view's selection. */
  const target = (arg: unknown) => modelTargetOf(arg) ?? modelTargetOf(deps.modelsView.view.selection[0]);
  const versionOf = (arg: unknown): ModelVersion | null => {
    const t = target(arg);
    if (!t?.version) {
      warn('runtrail: pick a model version in the Models view first.');
      return null;
    }
    const version = registry.findVersion(t.modelName, t.version);
    if (!version) warn(`runtrail: ${t.modelName} v${t.version} is not in the registry (any more); try Refresh.`);
    return version ?? null;
  };
  const runName = (runId: string) => history.findRun(runId)?.run.name || runId;

  return {
    'runtrail.refreshModels': () => registry.refresh().then(() => registry.state.kind),

    'runtrail.copyModelUri': async (arg?: unknown) => {
      const t = target(arg);
      if (!t) return null;
      const uri = modelUri(t.modelName, t.version);
      await copyText(uri, 'model URI');
      return uri;
    },

    'runtrail.copyModelName': async (arg?: unknown) => {
      const t = target(arg);
      if (!t) return null;
      await copyText(t.modelName, 'model name');
      return t.modelName;
    },

    'runtrail.openModelSourceRun': (arg?: unknown) => {
      const version = versionOf(arg);
      if (!version) return null;
      deps.openRun(version.runId);
      return version.runId;
    },

    'runtrail.setModelAlias': guarded('Set Alias', async (arg?: unknown, aliasArg?: unknown) => {
      const version = versionOf(arg);
      if (!version) return null;
      const taken = registry.snapshot?.models.find((e) => e.model.name === version.modelName)?.model.aliases.map((a) => a.alias) ?? [];
      const alias = typeof aliasArg === 'string' ? aliasArg : await promptForAlias(version.modelName, version.version, taken);
      if (!alias) return null;
      await registry.setAlias(version.modelName, alias, version.version);
      log(`alias ${alias} → ${version.modelName} v${version.version}`);
      return { modelName: version.modelName, alias, version: version.version };
    }),

    'runtrail.removeModelAlias': guarded('Remove Alias', async (arg?: unknown, aliasArg?: unknown) => {
      const version = versionOf(arg);
      if (!version) return null;
      if (version.aliases.length === 0) {
        warn(`runtrail: ${version.modelName} v${version.version} has no alias.`);
        return null;
      }
      const alias = typeof aliasArg === 'string' ? aliasArg : await pickAlias(version.aliases, `Remove which alias of ${version.modelName} v${version.version}?`);
      if (!alias) return null;
      await registry.removeAlias(version.modelName, alias);
      log(`alias ${alias} of ${version.modelName} removed`);
      return { modelName: version.modelName, alias };
    }),

    'runtrail.showModelLineage': guarded('Show Lineage', async (arg?: unknown) => {
      const version = versionOf(arg);
      if (!version) return null;
      const lineage = await registry.lineage(version.modelName, version.version);
      const picked = await pickLineageItem(lineagePickItems(lineage), `Lineage of ${version.modelName} v${version.version}: version → run → data → code`);
      if (picked?.kind === 'run' && picked.runId) deps.openRun(picked.runId);
      if (picked?.kind === 'cell' && picked.code !== undefined) await showCode(picked.code);
      return picked?.kind ?? null;
    }),

    'runtrail.deleteModel': guarded('Delete Model', async (arg?: unknown, confirmArg?: unknown) => {
      const t = target(arg);
      if (!t) {
        warn('runtrail: pick a model in the Models view first.');
        return null;
      }
      const versions = registry.snapshot?.models.find((e) => e.model.name === t.modelName)?.versions.length ?? 0;
      // A caller's confirmation text goes to the server as is: the route checks it like the typed one.
      const confirm = typeof confirmArg === 'string' ? confirmArg : (await confirmModelDelete(t.modelName, versions)) ? t.modelName : undefined;
      if (confirm === undefined) return null;
      await registry.deleteModel(t.modelName, confirm);
      log(`model ${t.modelName} deleted`);
      inform(`runtrail: deleted model ${t.modelName} and its ${versions} version(s).`);
      return t.modelName;
    }),

    'runtrail.registerModelFromRun': guarded('Register Model from Run', async (...args: unknown[]) => {
      const options = registerOptionsOf(args);
      let [runId] = deps.targetRuns(args);
      if (!runId) [runId] = await pickRuns(runPickItems(history.entries(), Date.now()), false, 'Register a model from which run?');
      if (!runId) return null;
      let path = options.path;
      if (path === undefined) {
        const items = artifactPickItems(await registry.runArtifacts(runId));
        if (items.length === 0) {
          warn(`runtrail: run ${runName(runId)} has no artifacts to register (log one first, e.g. with mlflow.log_artifact).`);
          return null;
        }
        path = await pickArtifact(items, runName(runId));
        if (path === undefined) return null;
      }
      const modelName = options.modelName ?? (await pickModelName((typed) => modelNamePickItems(registry.modelNames(), typed)));
      if (!modelName) return null;
      const invalid = modelNameError(modelName);
      if (invalid) throw new Error(invalid);
      const version = await registry.registerVersion(modelName, runId, path);
      log(`registered ${modelName} v${version.version} from run ${runId} (${path || 'all artifacts'})`);
      inform(`runtrail: registered ${modelName} version ${version.version} from run ${runName(runId)}.`);
      return version;
    }),
  };
}
