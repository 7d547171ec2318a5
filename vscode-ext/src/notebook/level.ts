/**
 * What the status bar says about the capture of the active notebook: full (the runtrail controller runs its
 * cells, with the kernel helper), basic (another controller does: the notebook API shows source, outcome,
 * timing and outputs only) or off.
 */

/** Capture level of a notebook as the UI shows it. */
export type CaptureLevelState = 'full' | 'basic' | 'off';

/** Decides the level: capture switched off, the runtrail controller selected, or anything else. */
export function captureLevelOf(input: { captureEnabled: boolean; runtrailSelected: boolean }): CaptureLevelState {
  if (!input.captureEnabled) return 'off';
  return input.runtrailSelected ? 'full' : 'basic';
}

/** Status bar text, tooltip and command of a level. */
export interface LevelView {
  text: string;
  tooltip: string;
  command: string;
}

/** Label of the runtrail notebook controller (the kernel picker shows it). */
export const CONTROLLER_LABEL = 'runtrail (Jupyter server)';

/** The status bar view of a level. */
export function captureLevelView(level: CaptureLevelState): LevelView {
  switch (level) {
    case 'full':
      return {
        text: '$(record) runtrail: full capture',
        tooltip: 'Cells run on the runtrail controller: code, outcome, timing, outputs, params, data snapshots, metrics and the environment are captured.',
        command: 'runtrail.showCaptureLevel',
      };
    case 'basic':
      return {
        text: '$(circle-large-outline) runtrail: basic capture',
        tooltip:
          `Another controller runs this notebook: only code, outcome, timing and outputs are captured. Select the kernel "${CONTROLLER_LABEL}" ` +
          'for params, data snapshots and metrics.',
        command: 'runtrail.showCaptureLevel',
      };
    case 'off':
      return { text: '$(circle-slash) runtrail: capture off', tooltip: 'Notebook capture is off (setting runtrail.captureNotebooks).', command: 'runtrail.showCaptureLevel' };
  }
}
