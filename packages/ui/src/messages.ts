/**
 * The message contract between a host (VS Code extension, JupyterLab panel, backend page) and the views it
 * embeds in a webview or iframe, over `postMessage`. One zod discriminated union per direction, keyed by
 * `type`; both ends parse what they receive, since a webview and its host can be different versions (a
 * reloaded extension, a cached page) and a bad message must be an error message, not a broken view.
 *
 *   host → view: show-runs | show-run | show-compare | series | theme-changed | error
 *   view → host: ready | open-run | compare | selection-change | columns-change | request-series | refresh | copy-run-id
 *                | edit-note | set-tag | delete-tag
 *
 * A view posts `ready` once it listens; the host answers with what to show.
 */
import { z } from 'zod';
import { CompareTable, RunDiff } from '@runtrail/core/diff';
import { CellExecution, EntityId, Key, LIMITS, Run } from '@runtrail/core/schema';

/** One point of a metric series, as the metric-history endpoint returns it. */
export const SeriesPointMessage = z.object({ step: z.number().int().nonnegative(), value: z.number() });

/** Series of one run by metric key. */
const SeriesByKey = z.record(Key, z.array(SeriesPointMessage));

/** Everything a host can tell a view. */
export const HostToView = z.discriminatedUnion('type', [
  z.object({ type: z.literal('show-runs'), runs: z.array(Run), selectedRunIds: z.array(EntityId).optional() }),
  z.object({
    type: z.literal('show-run'),
    run: Run,
    executions: z.array(CellExecution).default([]),
    series: SeriesByKey.default({}),
  }),
  z
    .object({
      type: z.literal('show-compare'),
      diff: RunDiff.optional(),
      table: CompareTable.optional(),
      runNames: z.record(EntityId, z.string()).default({}),
      series: z.record(EntityId, SeriesByKey).default({}),
    })
    .refine((m) => (m.diff === undefined) !== (m.table === undefined), {
      message: 'show-compare needs exactly one of `diff` (two runs) or `table` (2..N runs)',
    }),
  z.object({ type: z.literal('series'), runId: EntityId, key: Key, points: z.array(SeriesPointMessage) }),
  z.object({ type: z.literal('theme-changed'), kind: z.enum(['light', 'dark', 'high-contrast', 'high-contrast-light']) }),
  z.object({ type: z.literal('error'), message: z.string().max(10_000) }),
]);
export type HostToView = z.infer<typeof HostToView>;

/** A note as an editor holds it (bounded so one message cannot carry an unbounded text). */
const NoteText = z.string().max(100_000, 'a note must be at most 100000 characters');

/** Everything a view can ask of its host. */
export const ViewToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('open-run'), runId: EntityId }),
  z.object({ type: z.literal('compare'), runIds: z.array(EntityId).min(2, 'compare needs at least 2 runs') }),
  z.object({ type: z.literal('selection-change'), runIds: z.array(EntityId) }),
  z.object({ type: z.literal('columns-change'), columns: z.array(z.string().max(300)).max(500) }),
  z.object({ type: z.literal('request-series'), runId: EntityId, key: Key }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('copy-run-id'), runId: EntityId }),
  /** The user edited a run's note: the text the editor showed before and after (the host applies a minimal delta). */
  z.object({ type: z.literal('edit-note'), runId: EntityId, previousText: NoteText, nextText: NoteText }),
  /**
   * The user set a tag. Only bounded here: the host checks key and value with the Tag schema (core/sync
   * setRunTag) and answers a bad one with an `error` naming the rule, which the view shows by the tag form.
   */
  z.object({ type: z.literal('set-tag'), runId: EntityId, key: z.string().max(10 * LIMITS.maxKeyLength), value: z.string().max(10 * LIMITS.maxTagValueLength) }),
  z.object({ type: z.literal('delete-tag'), runId: EntityId, key: Key }),
]);
export type ViewToHost = z.infer<typeof ViewToHost>;

/** The `type`s of each direction, for error messages and exhaustive handling. */
export const HOST_TO_VIEW_TYPES = HostToView.options.map((o) => o.shape.type.value);
/** @see HOST_TO_VIEW_TYPES */
export const VIEW_TO_HOST_TYPES = ViewToHost.options.map((o) => o.shape.type.value);

/** A parsed message, or why the input is not one. */
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, types: readonly string[], channel: string, raw: unknown): ParseResult<T> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: `${channel}: expected an object with a "type", got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}` };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !types.includes(type)) {
    return { ok: false, error: `${channel}: unknown type ${JSON.stringify(type)}; expected one of ${types.join(', ')}` };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`)
    .join('; ');
  const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
  return { ok: false, error: `${channel} "${type}": ${issues}${more}` };
}

/** Parses a message a view received from its host (`event.data` of a `message` event). */
export function parseHostToView(raw: unknown): ParseResult<HostToView> {
  return parseWith(HostToView, HOST_TO_VIEW_TYPES, 'host-to-view', raw);
}

/** Parses a message a host received from a view. */
export function parseViewToHost(raw: unknown): ParseResult<ViewToHost> {
  return parseWith(ViewToHost, VIEW_TO_HOST_TYPES, 'view-to-host', raw);
}
