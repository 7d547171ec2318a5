/** The status-bar item: tracking on/paused, sync state, writes pending, and the last problem. */
import { Widget } from '@lumino/widgets';
import type { RuntrailService, ServiceStatus } from './service';

/** Text of the status item. */
export function statusText(status: ServiceStatus): string {
  const tracking = status.tracking ? 'tracking' : 'paused';
  const sync = status.sync === 'synced' ? 'synced' : status.sync === 'local-only' ? 'local only' : status.sync;
  const pending = status.pending > 0 ? ` · ${status.pending} pending` : '';
  return `runtrail: ${tracking} · ${sync}${pending}${status.message ? ' ⚠' : ''}`;
}

/** A status bar widget that follows the service. */
export class RuntrailStatus extends Widget {
  constructor(private readonly service: RuntrailService) {
    super();
    this.addClass('rt-Status');
    this.node.setAttribute('role', 'status');
    this.node.dataset.testid = 'runtrail-status';
    service.statusChanged.connect(this.render, this);
    this.render();
  }

  private render(): void {
    const status = this.service.status;
    this.node.textContent = statusText(status);
    this.node.title = status.message ?? 'runtrail capture status';
    this.node.dataset.state = status.message ? 'error' : status.sync;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.service.statusChanged.disconnect(this.render, this);
    super.dispose();
  }
}
