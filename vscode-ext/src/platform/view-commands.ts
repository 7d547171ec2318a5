/**
 * Commands of the Runs view beyond open/compare/copy: Filter Runs and Clear Filter (core's filter grammar,
 * through the filter quick pick), Search Runs (by name or id; reveals and opens the run) and Open Run in
 * Browser (`<server>/r/<run-id>`). Each returns what it did, so in-host tests can check it.
 */
import type { RunHistory } from '../history/history';
import { filterPickItems, parseRunsFilter } from '../model/filter';
import { runPageUrl } from '@runtrail/core/client';
import { runPickItems, searchRunItems, type RunPickItem } from '../model/pick';
import { pickFilter } from './filter-pick';
import { openInBrowser, pickRuns, showError, warn } from './prompts';
import type { RunsView } from './tree';

/** What the view commands need from the extension. */
export interface ViewCommandDeps {
  history: RunHistory;
  runsView: RunsView;
  serverUrl: () => string;
  /** The runs a command was invoked on (arguments, else the tree's selection). */
  targetRuns: (args: unknown[]) => string[];
  openRun: (runId: string) => void;
  log: (line: string) => void;
}

/** The handlers by command id, for `registerCommand`. */
export function viewCommands(deps: ViewCommandDeps): Record<string, (...args: unknown[]) => unknown> {
  const { history, runsView, log } = deps;
  const { provider } = runsView;
  const items = () => runPickItems(history.entries(), Date.now());

  /** Applies a filter text; an invalid one is reported and leaves the current filter as it was. */
  const applyFilter = (text: string): string | null => {
    const parsed = parseRunsFilter(text);
    if (!parsed.ok) {
      showError(`runtrail: ${parsed.error}`);
      return provider.filter?.text ?? null;
    }
    provider.setFilter(parsed.filter);
    log(parsed.filter ? `runs filter: ${parsed.filter.text}` : 'runs filter cleared');
    return parsed.filter?.text ?? null;
  };

  const reveal = async (runId: string) => {
    const node = provider.runNode(runId);
    if (node) await runsView.view.reveal(node, { select: true, focus: false, expand: true }).then(undefined, () => undefined);
  };

  return {
    'runtrail.filterRuns': async (text?: unknown) => {
      if (typeof text === 'string') return applyFilter(text);
      const choice = await pickFilter(provider.filter?.text ?? '', (typed) => filterPickItems(typed, history.entries(), provider.filter));
      if (!choice) return provider.filter?.text ?? null;
      return applyFilter(choice.kind === 'clear' ? '' : choice.text);
    },
    'runtrail.clearFilter': () => applyFilter(''),
    'runtrail.searchRuns': async (query?: unknown) => {
      let candidates: RunPickItem[] = items();
      if (typeof query === 'string' && query.trim()) candidates = searchRunItems(candidates, query);
      if (candidates.length === 0 && typeof query === 'string') {
        warn(`runtrail: no run's name or id contains "${query}".`);
        return null;
      }
      const [runId] = candidates.length === 1 && typeof query === 'string' ? [candidates[0]!.runId] : await pickRuns(candidates, false, 'Search runs by name or id');
      if (!runId) return null;
      await reveal(runId);
      deps.openRun(runId);
      return runId;
    },
    'runtrail.openRunInBrowser': async (...args: unknown[]) => {
      const [runId] = deps.targetRuns(args).length ? deps.targetRuns(args) : await pickRuns(items(), false, 'Open a run in the browser');
      if (!runId) return null;
      const serverUrl = deps.serverUrl();
      if (!serverUrl) {
        warn('runtrail: no server is configured; run "runtrail: Connect to Server" first.');
        return null;
      }
      let url: string;
      try {
        url = runPageUrl(serverUrl, runId);
      } catch (error) {
        showError(`runtrail: ${(error as Error).message}`);
        return null;
      }
      log(`open in browser: ${url}`);
      // Not awaited: VS Code may ask the user first (link protection), and the command is done once asked.
      void Promise.resolve(openInBrowser(url)).then(undefined, (error: unknown) => showError(`runtrail: could not open ${url}: ${String(error)}`));
      return url;
    },
  };
}

