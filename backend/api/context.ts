/** What route handlers work with: the stores, the doc manager and injectable time and ids (for tests). */
import type { BlobStore } from '../blobs/port';
import type { Store } from '../store/port';
import type { DocManager } from '../sync/docs';

/** Services shared by all handlers of one backend. */
export interface ApiContext {
  store: Store;
  docs: DocManager;
  blobs: BlobStore;
  now(): number;
  newId(): string;
  blobMaxBytes: number;
  /** Whether a project other than 'default' exists (projects come with workspaces); without it only 'default' does. */
  projectExists?(projectId: string): Promise<boolean>;
}
