/**
 * Notifies when the page's theme may have changed, for what cannot follow CSS variables by itself (canvas
 * charts). VS Code rewrites the `class`/`style` of <html> and <body> on a theme switch; JupyterLab sets
 * `data-jp-theme-*` on <body> and swaps a stylesheet; a plain page follows `prefers-color-scheme`.
 * One observer serves every subscriber.
 */

type Listener = () => void;

const listeners = new Set<Listener>();
let stop: (() => void) | null = null;

function notify(): void {
  // A swapped stylesheet may apply a frame or a few later than the attribute change that announced it.
  const run = () => listeners.forEach((l) => l());
  requestAnimationFrame(run);
  setTimeout(run, 250);
}

function start(): () => void {
  const observer = new MutationObserver(notify);
  const attributeFilter = ['class', 'style', 'data-jp-theme-name', 'data-jp-theme-light', 'data-vscode-theme-kind'];
  observer.observe(document.documentElement, { attributes: true, attributeFilter });
  if (document.body) observer.observe(document.body, { attributes: true, attributeFilter });
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  media?.addEventListener('change', notify);
  return () => {
    observer.disconnect();
    media?.removeEventListener('change', notify);
  };
}

/** Calls `listener` after each possible theme change; returns an idempotent unsubscribe. */
export function onThemeChange(listener: Listener): () => void {
  listeners.add(listener);
  stop ??= start();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && stop) {
      stop();
      stop = null;
    }
  };
}

/** Tells subscribers the theme changed, for hosts that learn it by message (`theme-changed`). */
export function announceThemeChange(): void {
  if (listeners.size > 0) notify();
}
