/**
 * Which physical lines of Python source start a logical line: not inside a bracket, a string or after a
 * backslash continuation. IPython magics and `!shell` escapes are only recognised at such line starts, so a
 * `%` that continues an expression (`x = (a\n % b)`) or sits inside a triple-quoted string is left alone.
 */

/** `starts[i]` is true when physical line `i` (0-based) begins a new logical line. */
export function logicalLineStarts(source: string): boolean[] {
  const starts: boolean[] = [true];
  let depth = 0;
  let quote: string | null = null; // the closing delimiter of the open string: ', ", ''' or """
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\n') {
      starts.push(quote === null && depth === 0);
      if (quote !== null && quote.length === 1) quote = null; // an unterminated one-line string ends here
      continue;
    }
    if (quote !== null) {
      if (ch === '\\') {
        i++;
        if (source[i] === '\n') starts.push(false);
      } else if (source.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = null;
      }
      continue;
    }
    if (ch === '#') {
      while (i + 1 < source.length && source[i + 1] !== '\n') i++;
    } else if (ch === '"' || ch === "'") {
      quote = source.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      i += quote.length - 1;
    } else if (ch === '(' || ch === '[' || ch === '{') {
      depth++;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      depth = Math.max(0, depth - 1);
    } else if (ch === '\\' && source[i + 1] === '\n') {
      i++;
      starts.push(false);
    }
  }
  return starts;
}

/** Offset of the bracket closing the one at `open`, skipping strings; -1 when it is not closed. */
export function matchingBracket(source: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < source.length; i++) {
    const ch = source[i]!;
    if (quote !== null) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
