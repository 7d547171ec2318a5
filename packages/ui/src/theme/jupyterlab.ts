/**
 * The JupyterLab theme bridge (jupyterlab.css beside this file) as a string, so a JupyterLab extension can
 * inject it (`document.head.append(style)`) without a CSS loader in its bundler. A test keeps the two equal.
 */

/** CSS that maps JupyterLab's `--jp-*` theme variables to the `--vscode-*` variables the components use. */
export const JUPYTERLAB_THEME_BRIDGE_CSS = `/*
 * runtrail UI: JupyterLab theme bridge.
 * The components style themselves with VS Code's theme variables (--vscode-*). JupyterLab themes define
 * --jp-* instead; this sheet maps one onto the other on the runtrail elements (and any container with the
 * class rt-theme-jupyterlab), so the same components follow JupyterLab's light, dark and high-contrast
 * themes. It is scoped, not :root, so other extensions that read --vscode-* are not affected.
 * Custom properties inherit into shadow roots, so setting them on the host elements is enough.
 */
:is(rt-run-table, rt-run-detail, rt-run-compare, rt-metric-chart, .rt-theme-jupyterlab) {
  --vscode-font-family: var(--jp-ui-font-family);
  --vscode-font-size: var(--jp-ui-font-size1);
  --vscode-font-weight: normal;
  --vscode-editor-font-family: var(--jp-code-font-family);
  --vscode-editor-font-size: var(--jp-code-font-size);

  --vscode-foreground: var(--jp-ui-font-color1);
  --vscode-descriptionForeground: var(--jp-ui-font-color2);
  --vscode-disabledForeground: var(--jp-ui-font-color3);
  --vscode-errorForeground: var(--jp-error-color1);
  --vscode-editor-background: var(--jp-layout-color1);
  --vscode-editor-foreground: var(--jp-content-font-color1);
  --vscode-sideBar-background: var(--jp-layout-color1);
  --vscode-editorWidget-background: var(--jp-layout-color2);
  --vscode-panel-border: var(--jp-border-color2);
  --vscode-widget-border: var(--jp-border-color1);
  --vscode-widget-shadow: rgba(0, 0, 0, 0.25);
  --vscode-focusBorder: var(--jp-brand-color1);
  --vscode-textLink-foreground: var(--jp-content-link-color);
  --vscode-textCodeBlock-background: var(--jp-cell-editor-background);
  --vscode-textPreformat-foreground: var(--jp-content-font-color1);
  --vscode-editorLineNumber-foreground: var(--jp-ui-font-color3);

  --vscode-list-hoverBackground: var(--jp-layout-color2);
  --vscode-list-activeSelectionBackground: var(--jp-brand-color1);
  --vscode-list-activeSelectionForeground: var(--jp-ui-inverse-font-color0);
  --vscode-list-inactiveSelectionBackground: color-mix(in srgb, var(--jp-brand-color1) 22%, transparent);
  --vscode-list-inactiveSelectionForeground: var(--jp-ui-font-color1);
  --vscode-list-focusOutline: var(--jp-brand-color1);

  --vscode-button-background: var(--jp-brand-color1);
  --vscode-button-foreground: var(--jp-ui-inverse-font-color0);
  --vscode-button-hoverBackground: var(--jp-brand-color0);
  --vscode-button-border: transparent;
  --vscode-button-secondaryBackground: var(--jp-layout-color2);
  --vscode-button-secondaryForeground: var(--jp-ui-font-color1);
  --vscode-button-secondaryHoverBackground: var(--jp-layout-color3);

  --vscode-input-background: var(--jp-input-background);
  --vscode-input-foreground: var(--jp-ui-font-color1);
  --vscode-input-border: var(--jp-input-border-color);
  --vscode-input-placeholderForeground: var(--jp-ui-font-color3);
  --vscode-inputValidation-errorBackground: color-mix(in srgb, var(--jp-error-color1) 15%, var(--jp-layout-color1));
  --vscode-inputValidation-errorBorder: var(--jp-error-color1);
  --vscode-settings-textInputBackground: var(--jp-input-background);
  --vscode-settings-textInputBorder: var(--jp-input-border-color);
  --vscode-settings-textInputForeground: var(--jp-ui-font-color1);
  --vscode-checkbox-background: var(--jp-input-background);
  --vscode-checkbox-border: var(--jp-border-color1);
  --vscode-checkbox-foreground: var(--jp-ui-font-color1);
  --vscode-settings-checkboxBackground: var(--jp-input-background);
  --vscode-settings-checkboxBorder: var(--jp-border-color1);
  --vscode-settings-checkboxForeground: var(--jp-ui-font-color1);
  --vscode-badge-background: var(--jp-brand-color1);
  --vscode-badge-foreground: var(--jp-ui-inverse-font-color0);

  --vscode-diffEditor-insertedLineBackground: color-mix(in srgb, var(--jp-success-color1) 18%, transparent);
  --vscode-diffEditor-removedLineBackground: color-mix(in srgb, var(--jp-error-color1) 18%, transparent);
  --vscode-gitDecoration-addedResourceForeground: var(--jp-success-color1);
  --vscode-gitDecoration-deletedResourceForeground: var(--jp-error-color1);
  --vscode-gitDecoration-modifiedResourceForeground: var(--jp-warn-color1);

  --vscode-charts-foreground: var(--jp-ui-font-color1);
  --vscode-charts-lines: var(--jp-border-color2);
  --vscode-charts-blue: var(--jp-brand-color1);
  --vscode-charts-red: var(--jp-error-color1);
  --vscode-charts-green: var(--jp-success-color1);
  --vscode-charts-orange: var(--jp-warn-color1);
  --vscode-charts-yellow: var(--jp-warn-color2);
  --vscode-charts-purple: var(--md-purple-400, #ab47bc);
}
`;

const BRIDGE_STYLE_ID = 'rt-jupyterlab-theme-bridge';

/**
 * Adds the bridge to a document once (a second call finds the first style element and reuses it).
 * Returns a function that removes it again; calling that more than once is harmless.
 */
export function installJupyterLabThemeBridge(doc: Document = document): () => void {
  let style = doc.getElementById(BRIDGE_STYLE_ID);
  if (!style) {
    style = doc.createElement('style');
    style.id = BRIDGE_STYLE_ID;
    style.textContent = JUPYTERLAB_THEME_BRIDGE_CSS;
    doc.head.append(style);
  }
  const installed = style;
  return () => installed.remove();
}
