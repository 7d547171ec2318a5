/**
 * @lezer/python does not parse two valid forms of `with`: parenthesised items (`with (open(a) as f, open(b) as g):`,
 * Python 3.10+) and tuple targets (`with ctx() as (u, v):`). Both are rewritten by blanking the parentheses. Line
 * breaks inside parenthesised items move to just after the header's colon (blank lines before the body are
 * harmless), so every line after the header keeps its number and columns. The blanked tuple targets are returned
 * so the walker binds them instead of reading them.
 */
import { logicalLineStarts, matchingBracket } from './lines';

/** The rewritten source and the [from, to) spans that were tuple targets of `with ... as (...)`. */
export interface WithRewrite {
  python: string;
  tupleTargets: Array<[number, number]>;
}

function withHeaders(python: string): number[] {
  const starts = logicalLineStarts(python);
  const offsets: number[] = [];
  let offset = 0;
  python.split('\n').forEach((line, i) => {
    if (starts[i] && /^\s*(async\s+)?with\b/.test(line)) offsets.push(offset);
    offset += line.length + 1;
  });
  return offsets;
}

function unparenthesizeItems(python: string): string {
  const chars = python.split('');
  for (const lineStart of withHeaders(python)) {
    const header = /^(\s*(?:async\s+)?with\s*)\(/.exec(python.slice(lineStart));
    if (!header) continue;
    const open = lineStart + header[1]!.length;
    const close = matchingBracket(python, open);
    const colon = close > 0 ? /^\s*:/.exec(python.slice(close + 1)) : null;
    if (!colon || !/\bas\b/.test(python.slice(open, close))) continue;
    chars[open] = ' ';
    chars[close] = ' ';
    let breaks = 0;
    for (let i = open; i < close; i++) {
      if (chars[i] === '\n') {
        chars[i] = ' ';
        breaks++;
      }
    }
    const colonAt = close + colon[0].length;
    chars[colonAt] = ':' + '\n'.repeat(breaks);
  }
  return chars.join('');
}

/** Blanks the parentheses of the `with` forms the parser lacks. */
export function rewriteWithItems(source: string): WithRewrite {
  const python = unparenthesizeItems(source);
  const chars = python.split('');
  const tupleTargets: Array<[number, number]> = [];
  for (const lineStart of withHeaders(python)) {
    const end = python.indexOf(':', lineStart);
    for (const m of python.slice(lineStart, end < 0 ? python.length : end + 1).matchAll(/\bas\s*\(/g)) {
      const open = lineStart + m.index + m[0].length - 1;
      const close = matchingBracket(python, open);
      if (close < 0) continue;
      chars[open] = ' ';
      chars[close] = ' ';
      tupleTargets.push([open, close]);
    }
  }
  return { python: chars.join(''), tupleTargets };
}
