/** Small templates several components share. */
import { html } from 'lit';
import type { RunStatus } from '@runtrail/core/schema';

const STATUS_GLYPHS: Record<RunStatus, string> = {
  running: '●',
  finished: '✓',
  failed: '✕',
  killed: '■',
};

/** A run status as a colored glyph with its name for assistive technology and as a tooltip. */
export function statusIcon(status: RunStatus) {
  return html`<span class="status ${status}" role="img" aria-label=${status} title=${status}>${STATUS_GLYPHS[status]}</span>`;
}

/** Text hidden from view but read by screen readers. */
export function srOnly(text: string) {
  return html`<span class="sr-only">${text}</span>`;
}
