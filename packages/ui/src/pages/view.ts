/**
 * The DOM of a shareable page: a header (brand, title, sign out), one <main> whose content is the current
 * state (sign-in form, run not found, an error, or the run view), and a live region that announces changes.
 * Text only ever goes in through `textContent`, so nothing from the server or the address is parsed as HTML.
 */
import type { RtRunCompare } from '../components/run-compare';
import type { RtRunDetail } from '../components/run-detail';
import type { PageState, PageSubject } from './load';

/** What the page does when the user acts. */
export interface PageActions {
  signIn(token: string, remember: boolean): void;
  signOut(): void;
  retry(): void;
}

/** The page's elements. */
export interface PageFrame {
  /** What the page is showing, in the header (the views and states bring their own <h1>). */
  title: HTMLElement;
  main: HTMLElement;
  signOut: HTMLButtonElement;
  status: HTMLElement;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** Replaces the body with the page frame. */
export function buildFrame(actions: PageActions): PageFrame {
  const title = el('div', { id: 'rt-page-title', className: 'rt-page-title' }, 'runtrail');
  const signOut = el('button', { type: 'button', className: 'rt-secondary', hidden: true }, 'Sign out');
  signOut.addEventListener('click', () => actions.signOut());
  const header = el('header', { className: 'rt-page-header' }, el('span', { className: 'rt-page-brand' }, 'runtrail'), title, signOut);
  const main = el('main', { id: 'rt-page-main', tabIndex: -1 });
  const status = el('div', { className: 'rt-skip' });
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  const skip = el('a', { className: 'rt-skip', href: '#rt-page-main' }, 'Skip to content');
  document.body.replaceChildren(skip, header, main, status);
  return { title, main, signOut, status };
}

function signInForm(subject: PageSubject, actions: PageActions, problem: string | undefined): HTMLElement {
  const what = subject.view === 'run' ? `run ${subject.runIds[0]}` : `the comparison of ${subject.runIds.length} runs`;
  const input = el('input', { type: 'password', id: 'rt-token', name: 'token', required: true, autocomplete: 'off', spellcheck: false });
  const remember = el('input', { type: 'checkbox', id: 'rt-remember', name: 'remember' });
  const error = el('p', { id: 'rt-signin-error', className: 'rt-notice' }, problem ?? '');
  error.setAttribute('role', 'alert');
  if (problem) input.setAttribute('aria-describedby', 'rt-signin-error');
  const form = el(
    'form',
    { className: 'rt-signin', noValidate: false },
    el('h1', {}, 'Sign in'),
    el('p', {}, `This page shows ${what}. Enter an API token of this runtrail server to see it (runtrail serve writes one to the file "token" in its data folder).`),
    error,
    el('label', { htmlFor: 'rt-token' }, 'API token'),
    input,
    el('div', { className: 'rt-row' }, remember, el('label', { htmlFor: 'rt-remember' }, 'Remember on this browser')),
    el('div', { className: 'rt-row' }, el('button', { type: 'submit' }, subject.view === 'run' ? 'Show run' : 'Show comparison')),
  );
  form.setAttribute('aria-labelledby', 'rt-signin-heading');
  form.querySelector('h1')!.id = 'rt-signin-heading';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (token) actions.signIn(token, remember.checked);
  });
  return form;
}

/** Renders `state` into the frame and moves focus where a keyboard or screen-reader user needs it. */
export function renderState(frame: PageFrame, subject: PageSubject, state: PageState, actions: PageActions, signedIn: boolean): void {
  frame.signOut.hidden = !signedIn;
  const { main } = frame;
  switch (state.kind) {
    case 'sign-in': {
      frame.title.textContent = 'Sign in to runtrail';
      document.title = 'Sign in · runtrail';
      main.replaceChildren(signInForm(subject, actions, state.problem));
      main.querySelector<HTMLInputElement>('#rt-token')!.focus();
      return;
    }
    case 'loading':
      frame.status.textContent = subject.view === 'run' ? 'Loading the run…' : 'Loading the runs…';
      main.replaceChildren(el('p', {}, frame.status.textContent));
      return;
    case 'not-found': {
      const ids = state.runIds.join(', ');
      const heading = state.runIds.length === 1 ? 'Run not found' : 'Runs not found';
      frame.title.textContent = heading;
      document.title = `${heading} · runtrail`;
      const detail = el('p', {}, `This server has no run ${ids}. It may have been deleted, or the link may be wrong.`);
      detail.setAttribute('role', 'alert');
      main.replaceChildren(el('h1', {}, heading), detail);
      main.focus();
      return;
    }
    case 'error': {
      frame.title.textContent = 'runtrail';
      const detail = el('p', { className: 'rt-notice' }, state.message);
      detail.setAttribute('role', 'alert');
      const retry = el('button', { type: 'button' }, 'Try again');
      retry.addEventListener('click', () => actions.retry());
      main.replaceChildren(el('h1', {}, 'Cannot show this page'), detail, retry);
      retry.focus();
      return;
    }
    case 'show': {
      frame.title.textContent = state.title;
      document.title = `${state.title} · runtrail`;
      frame.status.textContent = `${state.title} loaded`;
      const notice = el('div', { className: 'rt-notice' }, state.chartErrors.join('\n'));
      notice.setAttribute('role', 'alert');
      const view =
        state.message.type === 'show-run'
          ? (document.createElement('rt-run-detail') as RtRunDetail)
          : (document.createElement('rt-run-compare') as RtRunCompare);
      main.replaceChildren(notice, view);
      main.focus();
      return;
    }
  }
}

/** The view element currently shown, if any. */
export function currentView(frame: PageFrame): { detail: RtRunDetail | null; compare: RtRunCompare | null } {
  return { detail: frame.main.querySelector('rt-run-detail'), compare: frame.main.querySelector('rt-run-compare') };
}

/** Shows a problem that does not replace the view (a chart that failed to load). */
export function showNotice(frame: PageFrame, message: string): void {
  const notice = frame.main.querySelector('.rt-notice');
  if (notice) notice.textContent = notice.textContent ? `${notice.textContent}\n${message}` : message;
}
