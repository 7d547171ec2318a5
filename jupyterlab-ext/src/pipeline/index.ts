/** Promote a notebook cell to a pipeline step from JupyterLab: commands, preview dialog, step labels on cells. */
export { PIPELINE_COMMANDS, registerPipelineCommands } from './commands';
export { trackStepBadges } from './badges';
export type { FlowContext } from './flows';
