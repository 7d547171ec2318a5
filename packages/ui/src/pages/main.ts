/**
 * Entry of the shareable pages (`/r/:runId`, `/compare?runs=...`), bundled by `npm run build` as
 * backend/dist/pages/runtrail-pages.js. The backend's HTML shell says which view and which run ids
 * (`data-view`, `data-run-ids`) and where the API is (`data-base`, relative to the page). Nothing about a
 * run is fetched or shown without a token; a 401 forgets the token and asks again.
 */
import { RuntrailClient } from '@runtrail/core/client';
import { defineRuntrailElements } from '../define';
import { applyHostMessage } from '../host-bridge';
import { loadPage, loadSeries, type PageState, type PageSubject } from './load';
import { PAGE_CSS } from './theme';
import { createTokenStore, takeTokenFromFragment } from './token';
import { buildFrame, currentView, renderState, showNotice } from './view';

function storage(kind: 'sessionStorage' | 'localStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}

function readSubject(): PageSubject {
  const view = document.body.dataset.view === 'compare' ? 'compare' : 'run';
  const ids: unknown = JSON.parse(document.body.dataset.runIds ?? '[]');
  return { view, runIds: Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [] };
}

const sheet = new CSSStyleSheet();
sheet.replaceSync(PAGE_CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
defineRuntrailElements();

const subject = readSubject();
const base = new URL(`${document.body.dataset.base ?? '.'}/`.replace(/\/+$/, '/'), location.href);
const tokens = createTokenStore(storage('sessionStorage'), storage('localStorage'));

/**
 * A token handed over in the fragment is kept for this tab and taken out of the address (and its history
 * entry). Returns whether there was one.
 */
function takeFragmentToken(): boolean {
  const fragment = takeTokenFromFragment(location.hash);
  if (!fragment.token) return false;
  tokens.set(fragment.token, false);
  history.replaceState(history.state, '', `${location.pathname}${location.search}${fragment.rest}`);
  return true;
}
takeFragmentToken();

let generation = 0;
const client = () => {
  const token = tokens.get();
  return token ? new RuntrailClient({ baseUrl: base.href, token }) : null;
};

const actions = {
  signIn(token: string, remember: boolean) {
    tokens.set(token, remember);
    void load();
  },
  signOut() {
    tokens.clear();
    show({ kind: 'sign-in' });
  },
  retry() {
    void load();
  },
};
const frame = buildFrame(actions);

function show(state: PageState): void {
  if (state.kind === 'sign-in' && state.problem) tokens.clear();
  renderState(frame, subject, state, actions, state.kind !== 'sign-in' && tokens.get() !== null);
  if (state.kind === 'show') {
    const views = { ...currentView(frame), onError: (message: string) => showNotice(frame, message) };
    applyHostMessage(views, state.message);
  }
}

async function load(): Promise<void> {
  const api = client();
  if (!api) return show({ kind: 'sign-in' });
  const mine = ++generation;
  show({ kind: 'loading' });
  const state = await loadPage(api, subject);
  if (mine === generation) show(state);
}

// The views ask for series they were not given (a metric's "Chart" button), and open runs from compare.
document.addEventListener('rt-request-series', (event) => {
  const api = client();
  if (!api) return;
  const { runId, key } = event.detail;
  loadSeries(api, runId, key).then(
    (points) => applyHostMessage(currentView(frame), { type: 'series', runId, key, points }),
    (error: Error) => showNotice(frame, `Cannot load the ${key} chart: ${error.message}`),
  );
});
document.addEventListener('rt-open-run', (event) => {
  location.assign(new URL(`r/${encodeURIComponent(event.detail.runId)}`, base).href);
});
document.addEventListener('rt-copy-run-id', (event) => void navigator.clipboard?.writeText(event.detail.runId));

// Pasting the same address with a #token= fragment does not reload the page: take the token from there too.
window.addEventListener('hashchange', () => {
  if (takeFragmentToken()) void load();
});

void load();
