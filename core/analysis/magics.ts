/**
 * IPython syntax inside a code cell, turned into plain Python of the same shape before parsing.
 *
 * Every rewrite keeps line numbers and columns: a magic line becomes `pass` padded with spaces, the magic part of
 * `x = !ls` becomes `...`, the `%time ` of `%time y = f(x)` becomes `pass;`, so positions of syntax errors and
 * names map back to the cell unchanged. Cell magics whose body is not Python (`%%bash`, `%%writefile`, ...) blank
 * the whole cell. Names interpolated into shell lines (`!ls {path}`, `!echo $name`) are reported as reads.
 */
import { logicalLineStarts } from './lines';

/** One IPython construct found in a cell. */
export interface Magic {
  kind: 'line' | 'cell' | 'shell' | 'help';
  /** The magic's name without `%`/`%%` (`time`, `matplotlib`, ...); the command word for shell lines. */
  name: string;
  /** 1-based line of the cell. */
  line: number;
}

/** The rewritten source plus what was found. */
export interface PreprocessedCell {
  python: string;
  magics: Magic[];
  /** Names a magic line reads, by 1-based line (`!ls {path}` reads `path`). */
  magicReads: Map<number, string[]>;
  /** Names bound by a magic, by 1-based line (`%%capture out` binds `out`). */
  magicWrites: Map<number, string[]>;
  /** Set when a cell magic makes the whole cell non-Python (`%%bash`); the analysis then has no names. */
  foreignCellMagic?: string;
}

/** Cell magics whose body is still Python. */
const PYTHON_BODY_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'memit', 'snakeviz']);
/** Line magics whose argument is a Python statement (`%time y = f(x)`). */
const STATEMENT_LINE_MAGICS = new Set(['time', 'timeit', 'prun', 'memit', 'debug']);
/** Options of those magics that take a value (`%timeit -n 10 -r 3 stmt`). */
const VALUED_OPTIONS = new Set(['-n', '-r', '-p', '-l', '-T', '-D', '-s']);

const ASSIGNED_MAGIC = /^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)([!%].*)$/;
const INTERPOLATED = [/\{([A-Za-z_]\w*)\}/g, /\$([A-Za-z_]\w*)/g];

function pad(text: string, length: number): string {
  return text.length >= length ? text : text + ' '.repeat(length - text.length);
}

function interpolatedNames(text: string): string[] {
  const names = new Set<string>();
  for (const pattern of INTERPOLATED) for (const m of text.matchAll(pattern)) names.add(m[1]!);
  return [...names];
}

/** Length of `%time -n 10 ` style prefixes: the magic word and its options, up to the statement. */
function statementMagicPrefix(body: string): number {
  const words = /\S+\s*/g;
  let end = 0;
  let m = words.exec(body); // the magic word itself
  if (!m) return body.length;
  end = m.index + m[0].length;
  while ((m = words.exec(body))) {
    const word = m[0].trim();
    if (!word.startsWith('-')) break;
    end = m.index + m[0].length;
    if (VALUED_OPTIONS.has(word)) {
      const value = words.exec(body);
      if (!value) break;
      end = value.index + value[0].length;
    }
  }
  return end;
}

/** Rewrites IPython syntax of one cell into same-shaped Python and lists the magics found. */
export function preprocessCell(source: string): PreprocessedCell {
  const lines = source.split('\n');
  const starts = logicalLineStarts(source);
  const result: PreprocessedCell = { python: '', magics: [], magicReads: new Map(), magicWrites: new Map() };
  const firstCode = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const first = firstCode >= 0 ? lines[firstCode]!.trim() : '';
  if (first.startsWith('%%')) {
    const [word = '', ...args] = first.slice(2).split(/\s+/);
    result.magics.push({ kind: 'cell', name: word, line: firstCode + 1 });
    if (!PYTHON_BODY_CELL_MAGICS.has(word)) {
      result.foreignCellMagic = word;
      result.python = lines.map(() => '').join('\n');
      return result;
    }
    if (word === 'capture' && args[0] && /^[A-Za-z_]\w*$/.test(args[0])) result.magicWrites.set(firstCode + 1, [args[0]]);
    lines[firstCode] = '';
  }
  for (let i = 0; i < lines.length; i++) {
    if (!starts[i]) continue;
    const line = lines[i]!;
    const indent = line.length - line.trimStart().length;
    const body = line.slice(indent);
    const number = i + 1;
    if (body.startsWith('!') || (body.startsWith('%') && !body.startsWith('%%'))) {
      const shell = body.startsWith('!');
      const word = body.replace(/^(!!?|%)/, '').split(/\s+/)[0] ?? '';
      result.magics.push({ kind: shell ? 'shell' : 'line', name: word, line: number });
      if (!shell && STATEMENT_LINE_MAGICS.has(word)) {
        const prefix = statementMagicPrefix(body.slice(1)) + 1;
        if (prefix < body.length) {
          lines[i] = line.slice(0, indent) + pad('pass;', prefix) + body.slice(prefix);
          continue;
        }
      }
      const reads = interpolatedNames(body);
      if (reads.length) result.magicReads.set(number, reads);
      // `%store -r a b` brings stored variables back into the namespace.
      const restored = !shell && word === 'store' ? /^%store\s+-r\s+(.+)$/.exec(body.trim())?.[1] : undefined;
      if (restored) result.magicWrites.set(number, restored.split(/\s+/).filter((n) => /^[A-Za-z_]\w*$/.test(n)));
      lines[i] = line.slice(0, indent) + pad('pass', body.length);
      continue;
    }
    if (isHelpLine(body)) {
      result.magics.push({ kind: 'help', name: body.replace(/\?/g, '').trim(), line: number });
      lines[i] = line.slice(0, indent) + pad('pass', body.length);
      continue;
    }
    const assigned = ASSIGNED_MAGIC.exec(line);
    if (assigned) {
      const magic = assigned[2]!;
      const shell = magic.startsWith('!');
      result.magics.push({ kind: shell ? 'shell' : 'line', name: magic.slice(1).split(/\s+/)[0] ?? '', line: number });
      const reads = interpolatedNames(magic);
      if (reads.length) result.magicReads.set(number, reads);
      lines[i] = assigned[1]! + pad('...', magic.length);
    }
  }
  result.python = lines.join('\n');
  return result;
}

/** `obj?`, `obj??`, `?obj`: IPython help. A `?` inside a string or comment is not. */
function isHelpLine(body: string): boolean {
  const code = body.replace(/#.*$/, '').trim();
  return /^\?\??[A-Za-z_][\w.]*$/.test(code) || /^[A-Za-z_][\w.]*(\(\))?\?\??$/.test(code);
}
