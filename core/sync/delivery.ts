/**
 * What the extensions put in their outbox and how it reaches the backend: each payload is one idempotent
 * REST call of the typed client. Classifies failures: the backend being down, a token it refuses, or a run
 * it has not indexed yet are retried later; a request it rejects as invalid is dropped and reported.
 */
import { RuntrailApiError, type RuntrailClient } from '../client';
import { decodeBase64 } from '../capture/outputs';
import type { CreateExperimentRequest, Metric, Param, Tag } from '../schema';
import type { DeliveryResult, OutboxItem } from './outbox';

/** A REST write waiting in the outbox. */
export type OutboxPayload =
  | { kind: 'ensure-experiment'; body: CreateExperimentRequest & { id: string } }
  | { kind: 'log-batch'; runId: string; metrics: Metric[]; params: Param[]; tags: Tag[] }
  /** Content of a cell output kept whole (an image, a long text): content-addressed, so retries are harmless. */
  | { kind: 'put-blob'; sha256: string; base64: string };

/** Delivers outbox items with `client`. */
export function createDelivery(client: () => RuntrailClient | null) {
  return async (item: OutboxItem<OutboxPayload>): Promise<DeliveryResult> => {
    const api = client();
    if (!api) return { kind: 'retry', reason: 'no backend configured' };
    const payload = item.payload;
    try {
      if (payload.kind === 'ensure-experiment') {
        await api.call('createExperiment', { body: payload.body });
      } else if (payload.kind === 'put-blob') {
        const bytes = decodeBase64(payload.base64);
        if (!bytes) return { kind: 'drop', reason: `blob ${payload.sha256} is not base64` };
        await api.call('putBlob', { params: { sha256: payload.sha256 }, bytes });
      } else {
        await api.call('logBatch', {
          params: { runId: payload.runId },
          body: { metrics: payload.metrics, params: payload.params, tags: payload.tags },
        });
      }
      return { kind: 'done' };
    } catch (error) {
      return classify(error);
    }
  };
}

/** Maps a failed call to retry or drop. */
export function classify(error: unknown): DeliveryResult {
  if (!(error instanceof RuntrailApiError)) return { kind: 'retry', reason: (error as Error)?.message ?? String(error) };
  if (error.status === 0 || error.status >= 500 || error.status === 429) return { kind: 'retry', reason: error.message };
  if (error.status === 401 || error.status === 403) return { kind: 'retry', reason: `backend refused the token: ${error.message}` };
  // The run reaches the backend through doc sync; its batches may arrive first.
  if (error.status === 404 && error.path === 'params.runId') return { kind: 'retry', reason: 'run not on the backend yet' };
  return { kind: 'drop', reason: `${error.message} (${error.path || 'request'})` };
}
