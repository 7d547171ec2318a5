/**
 * Parses MLflow-style filter strings (`metrics.acc > 0.9 and params.opt = 'adam'`) into the structured
 * clauses of a run search, so the CLI and MLflow's search syntax share one grammar.
 *
 *   filter  := clause ("and" clause)*
 *   clause  := field op value
 *   field   := (params|metrics|tags|attributes) "." (name | `quoted name` | "quoted name")
 *   op      := = | != | < | <= | > | >= | like | in
 *   value   := number | 'string' | "string" | "(" value ("," value)* ")"
 */
import { FilterClause } from '../schema';

/** A filter string that does not follow the grammar: says where and what was expected. */
export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position + 1}`);
    this.name = 'FilterSyntaxError';
  }
}

const TOKEN = /\s*(?:(\()|(\))|(,)|(<=|>=|!=|=|<|>)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?![\w.])|([A-Za-z_]\w*(?:\.(?:`[^`]*`|"[^"]*"|[\w\-.:/]+))?))/y;

interface Token {
  kind: 'open' | 'close' | 'comma' | 'op' | 'string' | 'number' | 'word';
  text: string;
  at: number;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const kinds = ['open', 'close', 'comma', 'op', 'string', 'number', 'word'] as const;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < input.length) {
    const start = TOKEN.lastIndex;
    if (/^\s*$/.test(input.slice(start))) break;
    const match = TOKEN.exec(input);
    if (!match) throw new FilterSyntaxError(`unexpected '${input.slice(start).trim()[0]}'`, start);
    const index = match.slice(1).findIndex((g) => g !== undefined);
    tokens.push({ kind: kinds[index]!, text: match[index + 1]!, at: match.index + match[0].length - match[index + 1]!.length });
  }
  return tokens;
}

function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\(.)/g, '$1');
}

function fieldOf(word: string): string {
  const dot = word.indexOf('.');
  const scope = word.slice(0, dot);
  const name = word.slice(dot + 1);
  const unquoted = /^[`"].*[`"]$/.test(name) ? name.slice(1, -1) : name;
  const alias: Record<string, string> = { metric: 'metrics', param: 'params', tag: 'tags', attribute: 'attributes', attr: 'attributes' };
  return `${alias[scope] ?? scope}.${unquoted}`;
}

/** Parses a filter string into clauses; throws FilterSyntaxError naming the position of the problem. */
export function parseFilter(input: string): FilterClause[] {
  const tokens = tokenize(input);
  const clauses: FilterClause[] = [];
  let i = 0;
  const next = (expected: string): Token => {
    const token = tokens[i++];
    if (!token) throw new FilterSyntaxError(`expected ${expected} but the filter ended`, input.length);
    return token;
  };
  const value = (): string | number => {
    const token = next('a value');
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'string') return unquote(token.text);
    throw new FilterSyntaxError(`expected a number or a quoted string, got '${token.text}'`, token.at);
  };
  while (i < tokens.length) {
    if (clauses.length > 0) {
      const and = next("'and'");
      if (and.kind !== 'word' || and.text.toLowerCase() !== 'and') {
        throw new FilterSyntaxError(`expected 'and', got '${and.text}'`, and.at);
      }
    }
    const field = next('a field');
    if (field.kind !== 'word' || !field.text.includes('.')) {
      throw new FilterSyntaxError(`expected a field like metrics.acc, got '${field.text}'`, field.at);
    }
    const opToken = next('an operator');
    const op = opToken.kind === 'op' ? opToken.text : opToken.text.toLowerCase();
    let clauseValue: FilterClause['value'];
    if (op === 'in') {
      if (next("'('").kind !== 'open') throw new FilterSyntaxError("expected '(' after 'in'", opToken.at);
      const list: (string | number)[] = [value()];
      for (let t = next("',' or ')'"); t.kind !== 'close'; t = next("',' or ')'")) {
        if (t.kind !== 'comma') throw new FilterSyntaxError(`expected ',' or ')', got '${t.text}'`, t.at);
        list.push(value());
      }
      clauseValue = list;
    } else {
      clauseValue = value();
    }
    const parsed = FilterClause.safeParse({ field: fieldOf(field.text), op, value: clauseValue });
    if (!parsed.success) throw new FilterSyntaxError(parsed.error.issues[0]!.message, field.at);
    clauses.push(parsed.data);
  }
  return clauses;
}
