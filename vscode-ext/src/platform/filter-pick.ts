/**
 * The filter quick pick: type an expression (`metrics.acc > 0.9 and params.optimizer = 'adam'`), see how many
 * runs match or what is wrong, pick a field to insert it; Enter applies. Items come from src/model/filter.ts.
 */
import * as vscode from 'vscode';
import type { FilterPickItem } from '../model/filter';
import { FILTER_EXAMPLE } from '../model/filter';

/** What the user chose: a filter text to apply, or to clear the filter; undefined when cancelled. */
export type FilterChoice = { kind: 'apply'; text: string } | { kind: 'clear' } | undefined;

type Item = vscode.QuickPickItem & { source: FilterPickItem };

/** Shows the filter quick pick starting from `initial`; `itemsFor` computes the items for the typed text. */
export function pickFilter(initial: string, itemsFor: (text: string) => FilterPickItem[]): Promise<FilterChoice> {
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = 'runtrail: Filter Runs';
  pick.placeholder = `e.g. ${FILTER_EXAMPLE} (empty: show every run)`;
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  const refresh = () => {
    // alwaysShow: the items are computed for the text already, VS Code must not filter them by label again.
    pick.items = itemsFor(pick.value).map((source) => ({ label: source.label, description: source.description, detail: source.detail, alwaysShow: true, source }));
  };
  pick.value = initial;
  refresh();
  return new Promise<FilterChoice>((resolve) => {
    let choice: FilterChoice;
    const subscriptions = [
      pick.onDidChangeValue(refresh),
      pick.onDidAccept(() => {
        const action = (pick.selectedItems[0] ?? pick.activeItems[0])?.source.action;
        if (!action || action.kind === 'invalid') return;
        if (action.kind === 'insert') {
          pick.value = action.text;
          refresh();
          return;
        }
        choice = action;
        pick.hide();
      }),
      pick.onDidHide(() => {
        for (const s of subscriptions) s.dispose();
        pick.dispose();
        resolve(choice);
      }),
    ];
    pick.show();
  });
}
