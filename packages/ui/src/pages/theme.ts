/**
 * The look of the shareable pages. The components style themselves with VS Code's theme variables
 * (--vscode-*); a plain browser page has none, so this sheet defines them from VS Code's default Light and
 * Dark themes and switches with `prefers-color-scheme` (charts redraw on the switch: theme/watch.ts).
 */

const LIGHT = `
  --vscode-foreground: #3b3b3b; --vscode-descriptionForeground: #5f5f5f; --vscode-disabledForeground: #6161617f;
  --vscode-errorForeground: #a1260d; --vscode-editor-background: #ffffff; --vscode-editor-foreground: #3b3b3b;
  --vscode-sideBar-background: #f8f8f8; --vscode-editorWidget-background: #f8f8f8; --vscode-panel-border: #e5e5e5;
  --vscode-widget-border: #d4d4d4; --vscode-widget-shadow: rgba(0, 0, 0, 0.16); --vscode-focusBorder: #005fb8;
  --vscode-textLink-foreground: #005fb8; --vscode-textCodeBlock-background: #f3f3f3; --vscode-textPreformat-foreground: #3b3b3b;
  --vscode-editorLineNumber-foreground: #6e7681;
  --vscode-list-hoverBackground: #f0f0f0; --vscode-list-activeSelectionBackground: #cce3f7;
  --vscode-list-activeSelectionForeground: #000000; --vscode-list-inactiveSelectionBackground: #e4e6f1;
  --vscode-list-inactiveSelectionForeground: #3b3b3b; --vscode-list-focusOutline: #005fb8;
  --vscode-button-background: #005fb8; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #0258a8;
  --vscode-button-border: transparent; --vscode-button-secondaryBackground: #e5e5e5;
  --vscode-button-secondaryForeground: #3b3b3b; --vscode-button-secondaryHoverBackground: #cccccc;
  --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #8a8a8a;
  --vscode-input-placeholderForeground: #767676; --vscode-inputValidation-errorBackground: #f2dede;
  --vscode-inputValidation-errorBorder: #be1100;
  --vscode-checkbox-background: #f8f8f8; --vscode-checkbox-border: #8a8a8a; --vscode-checkbox-foreground: #3b3b3b;
  --vscode-badge-background: #cccccc; --vscode-badge-foreground: #3b3b3b;
  --vscode-diffEditor-insertedLineBackground: rgba(155, 185, 85, 0.25); --vscode-diffEditor-removedLineBackground: rgba(255, 0, 0, 0.18);
  --vscode-gitDecoration-addedResourceForeground: #587c0c; --vscode-gitDecoration-deletedResourceForeground: #ad0707;
  --vscode-gitDecoration-modifiedResourceForeground: #895503;
  --vscode-charts-foreground: #616161; --vscode-charts-lines: rgba(97, 97, 97, 0.3); --vscode-charts-blue: #1a85ff;
  --vscode-charts-red: #e51400; --vscode-charts-green: #388a34; --vscode-charts-orange: #d18616;
  --vscode-charts-yellow: #bf8803; --vscode-charts-purple: #652d90;`;

const DARK = `
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #a0a0a0; --vscode-disabledForeground: #cccccc80;
  --vscode-errorForeground: #f85149; --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc;
  --vscode-sideBar-background: #181818; --vscode-editorWidget-background: #202020; --vscode-panel-border: #2b2b2b;
  --vscode-widget-border: #3c3c3c; --vscode-widget-shadow: rgba(0, 0, 0, 0.36); --vscode-focusBorder: #0078d4;
  --vscode-textLink-foreground: #4daafc; --vscode-textCodeBlock-background: #2b2b2b; --vscode-textPreformat-foreground: #d0d0d0;
  --vscode-editorLineNumber-foreground: #8b949e;
  --vscode-list-hoverBackground: #2a2d2e; --vscode-list-activeSelectionBackground: #04395e;
  --vscode-list-activeSelectionForeground: #ffffff; --vscode-list-inactiveSelectionBackground: #37373d;
  --vscode-list-inactiveSelectionForeground: #cccccc; --vscode-list-focusOutline: #0078d4;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #026ec1;
  --vscode-button-border: rgba(255, 255, 255, 0.07); --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc; --vscode-button-secondaryHoverBackground: #3c3c3c;
  --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-input-border: #6b6b6b;
  --vscode-input-placeholderForeground: #989898; --vscode-inputValidation-errorBackground: #5a1d1d;
  --vscode-inputValidation-errorBorder: #be1100;
  --vscode-checkbox-background: #313131; --vscode-checkbox-border: #6b6b6b; --vscode-checkbox-foreground: #cccccc;
  --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-diffEditor-insertedLineBackground: rgba(155, 185, 85, 0.2); --vscode-diffEditor-removedLineBackground: rgba(255, 0, 0, 0.2);
  --vscode-gitDecoration-addedResourceForeground: #81b88b; --vscode-gitDecoration-deletedResourceForeground: #c74e39;
  --vscode-gitDecoration-modifiedResourceForeground: #e2c08d;
  --vscode-charts-foreground: #cccccc; --vscode-charts-lines: rgba(204, 204, 204, 0.3); --vscode-charts-blue: #3794ff;
  --vscode-charts-red: #f14c4c; --vscode-charts-green: #89d185; --vscode-charts-orange: #d18616;
  --vscode-charts-yellow: #cca700; --vscode-charts-purple: #b180d7;`;

/** The page's stylesheet: theme variables for both schemes, and the page frame (header, sign-in form, notices). */
export const PAGE_CSS = `
:root {
  color-scheme: light dark;
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif;
  --vscode-font-size: 14px; --vscode-font-weight: normal;
  --vscode-editor-font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  --vscode-editor-font-size: 13px;
  ${LIGHT}
}
@media (prefers-color-scheme: dark) { :root { ${DARK} } }
body { margin: 0; background: var(--vscode-editor-background); color: var(--vscode-foreground);
  font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
a { color: var(--vscode-textLink-foreground); }
:focus-visible { outline: 2px solid var(--vscode-focusBorder); outline-offset: 2px; }
.rt-skip { position: absolute; left: -10000px; }
.rt-skip:focus { left: 8px; top: 8px; z-index: 1; background: var(--vscode-editor-background); padding: 4px 8px; }
.rt-page-header { display: flex; align-items: center; gap: 16px; padding: 8px 16px;
  border-bottom: 1px solid var(--vscode-panel-border); background: var(--vscode-sideBar-background); }
.rt-page-brand { font-weight: 600; text-decoration: none; color: inherit; }
.rt-page-title { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--vscode-descriptionForeground); }
main:focus { outline: none; }
main h1 { font-size: 1.3em; }
main { padding: 12px 16px; }
button { font: inherit; padding: 4px 12px; border-radius: 2px; cursor: pointer;
  border: 1px solid var(--vscode-button-border); background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
button:hover { background: var(--vscode-button-hoverBackground); }
button.rt-secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
button.rt-secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
.rt-signin { max-width: 32em; display: grid; gap: 10px; }
.rt-signin h1 { margin: 0; }
.rt-signin p { margin: 0; color: var(--vscode-descriptionForeground); }
.rt-signin input[type="password"] { font: inherit; padding: 4px 6px; color: var(--vscode-input-foreground);
  background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border); border-radius: 2px; }
.rt-signin .rt-row { display: flex; gap: 8px; align-items: center; }
.rt-notice { margin: 8px 0; padding: 6px 8px; white-space: pre-wrap; border: 1px solid var(--vscode-inputValidation-errorBorder);
  background: var(--vscode-inputValidation-errorBackground); }
.rt-notice:empty { display: none; }
code { font-family: var(--vscode-editor-font-family); }
`;
