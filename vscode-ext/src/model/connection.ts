/**
 * Where the extension stands with its server, and what the status bar says about it. The state is computed
 * by the history (src/history) from REST and sync outcomes; the words and icons are decided here.
 */
import { formatTimestamp } from './format';

/**
 * `unconfigured`: no server URL yet. `connecting`: first contact in progress. `online`: the server answers;
 * `live` once every experiment's doc is syncing. `offline`: unreachable; views show the cache saved at
 * `cachedAt` (null: nothing cached). `unauthorized`: the server refused the token.
 */
export type ConnectionState =
  | { kind: 'unconfigured' }
  | { kind: 'connecting'; serverUrl: string }
  | { kind: 'online'; serverUrl: string; live: boolean }
  | { kind: 'offline'; serverUrl: string; reason: string; cachedAt: number | null }
  | { kind: 'unauthorized'; serverUrl: string; reason: string };

/** What the status bar item shows and which command a click runs. */
export interface StatusBarView {
  text: string;
  tooltip: string;
  command: 'runtrail.connect' | 'runtrail.refresh' | 'runtrail.showOutput';
  /** A theme colour id for the background (warnings only), or undefined. */
  background?: string;
}

/**
 * The status bar item for a state and the number of captured writes waiting to upload (the capture outbox):
 * a pending count is shown next to the connection, and the tooltip says they are kept until the server answers.
 */
export function statusBarView(state: ConnectionState, pendingUploads = 0): StatusBarView {
  const view = connectionView(state);
  if (pendingUploads <= 0) return view;
  const waiting = `${pendingUploads} captured write${pendingUploads === 1 ? '' : 's'} waiting to upload`;
  const when = state.kind === 'online' ? 'uploading now' : 'kept on disk and uploaded once the server answers';
  return { ...view, text: `${view.text} $(cloud-upload) ${pendingUploads}`, tooltip: `${view.tooltip}\n${waiting} (${when}).` };
}

function connectionView(state: ConnectionState): StatusBarView {
  switch (state.kind) {
    case 'unconfigured':
      return { text: '$(plug) runtrail', tooltip: 'runtrail: not connected. Click to connect to a server.', command: 'runtrail.connect' };
    case 'connecting':
      return { text: '$(sync~spin) runtrail', tooltip: `runtrail: connecting to ${state.serverUrl}`, command: 'runtrail.showOutput' };
    case 'online':
      return {
        text: state.live ? '$(cloud) runtrail' : '$(cloud) runtrail (syncing)',
        tooltip: `runtrail: connected to ${state.serverUrl}${state.live ? ', live updates on' : ', live updates starting'}`,
        command: 'runtrail.refresh',
      };
    case 'offline': {
      const cache = state.cachedAt === null ? 'nothing cached yet' : `showing the last known state (saved ${formatTimestamp(state.cachedAt)})`;
      return {
        text: '$(cloud-offline) runtrail: offline',
        tooltip: `runtrail: cannot reach ${state.serverUrl} (${state.reason}); ${cache}. Retrying in the background; click to retry now.`,
        command: 'runtrail.refresh',
        background: 'statusBarItem.warningBackground',
      };
    }
    case 'unauthorized':
      return {
        text: '$(key) runtrail: token refused',
        tooltip: `runtrail: ${state.serverUrl} refused the token (${state.reason}). Click to enter a new one.`,
        command: 'runtrail.connect',
        background: 'statusBarItem.errorBackground',
      };
  }
}

/** Whether a server is configured, for the `runtrail.connected` context key (it picks the welcome text). */
export function isConfigured(state: ConnectionState): boolean {
  return state.kind !== 'unconfigured';
}

/** Whether two states would look the same to the user (avoids redundant redraws and log lines). */
export function sameConnectionState(a: ConnectionState, b: ConnectionState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The message shown at the top of the Runs view, or undefined when there is nothing to say. */
export function runsViewMessage(state: ConnectionState): string | undefined {
  switch (state.kind) {
    case 'offline':
      return state.cachedAt === null
        ? `Offline: cannot reach ${state.serverUrl}, and nothing was saved from it yet.`
        : `Offline: showing the last known state (saved ${formatTimestamp(state.cachedAt)}).`;
    case 'unauthorized':
      return `${state.serverUrl} refused the token. Run "runtrail: Connect to Server" to enter a new one.`;
    case 'connecting':
      return `Connecting to ${state.serverUrl}…`;
    default:
      return undefined;
  }
}
