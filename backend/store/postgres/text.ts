/**
 * PostgreSQL text cannot hold U+0000, which runtrail's names, tags and param values may contain (SQLite's can).
 * Indexed copies of such text store U+FFFD in its place, and search values are mapped the same way, so equality
 * still finds them; the JSON records keep the original (JSON escapes U+0000).
 */
export function pgText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}
