/**
 * What a webview panel shows: one run, or a compare of 2..N runs. The subject is also the panel's restore
 * state, so it is parsed (never trusted) when VS Code hands it back after a reload.
 */
import { z } from 'zod';
import { EntityId } from '@runtrail/core/schema';

/** The subject of a panel. */
export const PanelSubject = z.discriminatedUnion('view', [
  z.object({ view: z.literal('run'), runIds: z.tuple([EntityId]) }),
  z.object({ view: z.literal('compare'), runIds: z.array(EntityId).min(2).max(20) }),
]);
export type PanelSubject = z.infer<typeof PanelSubject>;

/** The webview panel types (`viewType`), one per view, as `onWebviewPanel:` activation events name them. */
export const PANEL_VIEW_TYPES = { run: 'runtrail.run', compare: 'runtrail.compare' } as const;

/** The subject of a run panel. */
export function runSubject(runId: string): PanelSubject {
  return { view: 'run', runIds: [runId] };
}

/** The subject of a compare panel; the first id is the baseline. Duplicates are dropped. */
export function compareSubject(runIds: readonly string[]): PanelSubject {
  return { view: 'compare', runIds: [...new Set(runIds)] };
}

/** A subject from a restore state, or null when the state is not one (an older version, a corrupt file). */
export function parseSubject(state: unknown): PanelSubject | null {
  const parsed = PanelSubject.safeParse(state);
  return parsed.success ? parsed.data : null;
}

/** One key per subject: opening the same run twice reveals its panel instead of making a second. */
export function subjectKey(subject: PanelSubject): string {
  return `${subject.view}:${subject.runIds.join(',')}`;
}
