/**
 * Shared styles of the components. Every color and font comes from a VS Code theme variable (`--vscode-*`),
 * aliased once here as `--rt-*` with a fallback, so the components read the same in a VS Code webview
 * (variables set by VS Code), JupyterLab (variables set by the bridge in jupyterlab.css) and a plain page
 * (fallbacks: light by default, dark when the system prefers it).
 */
import { css } from 'lit';

/** Theme aliases and the base look (font, focus ring, tables, badges) every component starts from. */
export const themeStyles = css`
  :host {
    --rt-font: var(--vscode-font-family, system-ui, -apple-system, 'Segoe UI', Ubuntu, sans-serif);
    --rt-font-size: var(--vscode-font-size, 13px);
    --rt-mono: var(--vscode-editor-font-family, ui-monospace, 'SF Mono', Menlo, Consolas, monospace);
    --rt-mono-size: var(--vscode-editor-font-size, 12px);
    --rt-fg: var(--vscode-foreground, #3b3b3b);
    --rt-muted: var(--vscode-descriptionForeground, #717171);
    --rt-bg: var(--vscode-editor-background, #ffffff);
    --rt-widget-bg: var(--vscode-editorWidget-background, #f8f8f8);
    --rt-border: var(--vscode-panel-border, #e5e5e5);
    --rt-hover: var(--vscode-list-hoverBackground, #f2f2f2);
    --rt-selected: var(--vscode-list-inactiveSelectionBackground, #e4e6f1);
    --rt-focus: var(--vscode-focusBorder, #005fb8);
    --rt-code-bg: var(--vscode-textCodeBlock-background, #f3f3f3);
    --rt-link: var(--vscode-textLink-foreground, #005fb8);
    --rt-error: var(--vscode-errorForeground, #e51400);
    --rt-red: var(--vscode-charts-red, #e51400);
    --rt-green: var(--vscode-charts-green, #388a34);
    --rt-yellow: var(--vscode-charts-yellow, #bf8803);
    --rt-blue: var(--vscode-charts-blue, #1a85ff);
    --rt-added-bg: var(--vscode-diffEditor-insertedLineBackground, rgba(156, 204, 44, 0.25));
    --rt-removed-bg: var(--vscode-diffEditor-removedLineBackground, rgba(255, 0, 0, 0.2));
    --rt-changed-bg: color-mix(in srgb, var(--rt-yellow) 16%, transparent);
    --rt-button-bg: var(--vscode-button-background, #005fb8);
    --rt-button-fg: var(--vscode-button-foreground, #ffffff);
    --rt-button-hover: var(--vscode-button-hoverBackground, #0258a8);
    --rt-button2-bg: var(--vscode-button-secondaryBackground, #e5e5e5);
    --rt-button2-fg: var(--vscode-button-secondaryForeground, #3b3b3b);
    --rt-button2-hover: var(--vscode-button-secondaryHoverBackground, #cccccc);
    --rt-input-bg: var(--vscode-settings-textInputBackground, #ffffff);
    --rt-input-fg: var(--vscode-settings-textInputForeground, #3b3b3b);
    --rt-input-border: var(--vscode-settings-textInputBorder, #cecece);
    --rt-placeholder: var(--vscode-input-placeholderForeground, #767676);
    --rt-check-bg: var(--vscode-settings-checkboxBackground, #f8f8f8);
    --rt-check-fg: var(--vscode-settings-checkboxForeground, #3b3b3b);
    --rt-check-border: var(--vscode-settings-checkboxBorder, #cecece);
    display: block;
    box-sizing: border-box;
    color: var(--rt-fg);
    background: var(--rt-bg);
    font-family: var(--rt-font);
    font-size: var(--rt-font-size);
    line-height: 1.4;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --rt-fg: var(--vscode-foreground, #cccccc);
      --rt-muted: var(--vscode-descriptionForeground, #9d9d9d);
      --rt-bg: var(--vscode-editor-background, #1f1f1f);
      --rt-widget-bg: var(--vscode-editorWidget-background, #202020);
      --rt-border: var(--vscode-panel-border, #2b2b2b);
      --rt-hover: var(--vscode-list-hoverBackground, #2a2d2e);
      --rt-selected: var(--vscode-list-inactiveSelectionBackground, #37373d);
      --rt-focus: var(--vscode-focusBorder, #0078d4);
      --rt-code-bg: var(--vscode-textCodeBlock-background, #2b2b2b);
      --rt-link: var(--vscode-textLink-foreground, #4daafc);
      --rt-error: var(--vscode-errorForeground, #f85149);
      --rt-red: var(--vscode-charts-red, #f14c4c);
      --rt-green: var(--vscode-charts-green, #89d185);
      --rt-yellow: var(--vscode-charts-yellow, #cca700);
      --rt-blue: var(--vscode-charts-blue, #3794ff);
      --rt-added-bg: var(--vscode-diffEditor-insertedLineBackground, rgba(155, 185, 85, 0.2));
      --rt-removed-bg: var(--vscode-diffEditor-removedLineBackground, rgba(255, 0, 0, 0.2));
      --rt-button-bg: var(--vscode-button-background, #0078d4);
      --rt-button-hover: var(--vscode-button-hoverBackground, #026ec1);
      --rt-button2-bg: var(--vscode-button-secondaryBackground, #313131);
      --rt-button2-fg: var(--vscode-button-secondaryForeground, #cccccc);
      --rt-button2-hover: var(--vscode-button-secondaryHoverBackground, #3c3c3c);
      --rt-input-bg: var(--vscode-settings-textInputBackground, #313131);
      --rt-input-fg: var(--vscode-settings-textInputForeground, #cccccc);
      --rt-input-border: var(--vscode-settings-textInputBorder, #3c3c3c);
      --rt-placeholder: var(--vscode-input-placeholderForeground, #989898);
      --rt-check-bg: var(--vscode-settings-checkboxBackground, #313131);
      --rt-check-fg: var(--vscode-settings-checkboxForeground, #cccccc);
      --rt-check-border: var(--vscode-settings-checkboxBorder, #3c3c3c);
    }
  }
  /*
   * @vscode-elements fall back to VS Code's dark colors when no theme variables are set. Re-set their
   * variables from our aliases, which resolve to the page's theme or to fallbacks matching the system
   * scheme, so they match the rest of the view on a plain page too (a no-op inside VS Code).
   */
  vscode-button,
  vscode-checkbox,
  vscode-textfield {
    --vscode-font-family: var(--rt-font);
    --vscode-font-size: var(--rt-font-size);
    --vscode-foreground: var(--rt-fg);
    --vscode-focusBorder: var(--rt-focus);
    --vscode-button-background: var(--rt-button-bg);
    --vscode-button-foreground: var(--rt-button-fg);
    --vscode-button-hoverBackground: var(--rt-button-hover);
    --vscode-button-secondaryBackground: var(--rt-button2-bg);
    --vscode-button-secondaryForeground: var(--rt-button2-fg);
    --vscode-button-secondaryHoverBackground: var(--rt-button2-hover);
    --vscode-settings-textInputBackground: var(--rt-input-bg);
    --vscode-settings-textInputForeground: var(--rt-input-fg);
    --vscode-settings-textInputBorder: var(--rt-input-border);
    --vscode-input-placeholderForeground: var(--rt-placeholder);
    --vscode-settings-checkboxBackground: var(--rt-check-bg);
    --vscode-settings-checkboxForeground: var(--rt-check-fg);
    --vscode-settings-checkboxBorder: var(--rt-check-border);
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  :focus-visible {
    outline: 1px solid var(--rt-focus);
    outline-offset: -1px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  [hidden] {
    display: none !important;
  }
  h2 {
    font-size: 1.1em;
    font-weight: 600;
    margin: 1.2em 0 0.5em;
  }
  h3 {
    font-size: 1em;
    font-weight: 600;
    margin: 0.8em 0 0.3em;
  }
  .muted {
    color: var(--rt-muted);
  }
  .mono,
  code,
  pre {
    font-family: var(--rt-mono);
    font-size: var(--rt-mono-size);
  }
  pre {
    margin: 0;
    padding: 6px 8px;
    background: var(--rt-code-bg);
    overflow: auto;
    max-height: 24em;
    white-space: pre;
    tab-size: 4;
  }
  table.data {
    border-collapse: collapse;
    width: 100%;
  }
  table.data th,
  table.data td {
    text-align: left;
    padding: 2px 8px;
    border-bottom: 1px solid var(--rt-border);
    vertical-align: top;
  }
  table.data th {
    font-weight: 600;
    color: var(--rt-muted);
  }
  table.data td.num,
  table.data th.num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .badge {
    display: inline-block;
    padding: 0 6px;
    border-radius: 8px;
    font-size: 0.85em;
    border: 1px solid var(--rt-border);
    color: var(--rt-muted);
  }
  .badge.warn {
    color: var(--rt-yellow);
    border-color: currentColor;
  }
  .badge.bad {
    color: var(--rt-red);
    border-color: currentColor;
  }
  .badge.good {
    color: var(--rt-green);
    border-color: currentColor;
  }
  .status {
    display: inline-flex;
    width: 1.2em;
    justify-content: center;
    font-weight: 700;
  }
  .status.finished {
    color: var(--rt-green);
  }
  .status.failed {
    color: var(--rt-red);
  }
  .status.killed {
    color: var(--rt-yellow);
  }
  .status.running {
    color: var(--rt-blue);
  }
  .error-text {
    color: var(--rt-error);
  }
`;
