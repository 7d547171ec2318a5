/**
 * The script of the run and compare webviews: defines packages/ui's elements, shows what the extension
 * sends (each message parsed with the zod contract first) and forwards the components' events back.
 * Which view a panel shows comes from `data-view` on <body>; the ids it shows are saved with `setState`,
 * so VS Code can restore the panel after a reload.
 */
import {
  applyHostMessage,
  connectViewToHost,
  defineRuntrailElements,
  parseHostToView,
  type RtRunCompare,
  type RtRunDetail,
  type RuntrailViews,
  type ViewToHost,
} from '@runtrail/ui';

/** The part of the webview API this script uses. */
interface VsCodeApi {
  postMessage(message: ViewToHost): void;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
defineRuntrailElements();

const view = document.body.dataset.view === 'compare' ? 'compare' : 'run';
const error = document.getElementById('error')!;
const views: RuntrailViews = {
  onError: (message) => {
    error.textContent = message;
    error.hidden = false;
  },
};
if (view === 'run') {
  views.detail = document.body.appendChild(document.createElement('rt-run-detail')) as RtRunDetail;
  views.detail.editable = true; // the panel controller applies note and tag edits
}
else views.compare = document.body.appendChild(document.createElement('rt-run-compare')) as RtRunCompare;

// The restore state is what the extension put in the page: the view and its run ids.
vscode.setState({ view, runIds: JSON.parse(document.body.dataset.runIds ?? '[]') as unknown });

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseHostToView(event.data);
  if (!parsed.ok) return views.onError?.(parsed.error);
  if (parsed.message.type !== 'error') error.hidden = true;
  applyHostMessage(views, parsed.message);
});
// A blocked script or style would otherwise fail silently: say so where the user (and the e2e test) looks.
document.addEventListener('securitypolicyviolation', (e) => views.onError?.(`blocked by the content security policy: ${e.violatedDirective} ${e.blockedURI}`));

connectViewToHost(document, (message) => vscode.postMessage(message));
vscode.postMessage({ type: 'ready' });
