/**
 * Walks a @lezer/python syntax tree and reports reads, bindings and mutations to the scopes of ./scopes.
 * Node names are those of the @lezer/python grammar (AssignStatement, MemberExpression, ...); keywords and
 * punctuation appear as leaf nodes named by their text (`for`, `in`, `as`, `,`).
 */
import type { SyntaxNode } from '@lezer/common';
import { importBindings, type ImportBinding } from './imports';
import { literalValue } from './literals';
import { PUNCTUATION, children } from './syntax';
import { ClassScope, CellScope, ComprehensionScope, FunctionScope, type MutationKind, type Scope } from './scopes';

/** A top-level `def` or `class` and its source span. */
export interface Definition {
  name: string;
  kind: 'function' | 'class';
  from: number;
  to: number;
  line: number;
}

/** Methods that change their receiver: calling them on a notebook value counts as a mutation of it. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  'append', 'extend', 'insert', 'remove', 'pop', 'popitem', 'clear', 'sort', 'reverse', 'update', 'add', 'discard',
  'setdefault', 'fit', 'partial_fit', 'fit_transform', 'set_params', 'load_state_dict', 'train', '__setitem__',
  'intersection_update', 'difference_update', 'symmetric_difference_update', 'resize', 'fill', 'itemset',
]);

const COMPREHENSIONS = new Set([
  'ArrayComprehensionExpression', 'DictionaryComprehensionExpression', 'SetComprehensionExpression', 'ComprehensionExpression',
]);
export type { ImportBinding };

/** The walker of one cell: collects into `cell` plus the module-level imports, definitions and literals. */
export class CellWalker {
  readonly cell = new CellScope();
  readonly imports: ImportBinding[] = [];
  readonly definitions: Definition[] = [];
  /** Top-level assignments `name = <literal>`, last one wins; unset when the name is rebound otherwise. */
  readonly literals = new Map<string, unknown>();
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly source: string,
    private readonly magicReads: Map<number, string[]>,
    private readonly withTupleTargets: Array<[number, number]> = [],
    private readonly magicWrites: Map<number, string[]> = new Map(),
  ) {
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') this.lineStarts.push(i + 1);
  }

  /** 1-based line of an offset. */
  lineOf(pos: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** 1-based column of an offset. */
  columnOf(pos: number): number {
    return pos - this.lineStarts[this.lineOf(pos) - 1]! + 1;
  }

  private text(node: SyntaxNode): string {
    return this.source.slice(node.from, node.to);
  }

  /** Visits the whole script and settles deferred names. */
  walkScript(script: SyntaxNode): void {
    for (const statement of children(script)) this.visit(statement, this.cell);
    this.cell.close();
  }

  private visitAll(nodes: SyntaxNode[], scope: Scope): void {
    for (const n of nodes) this.visit(n, scope);
  }

  /** Dispatches on the node type; anything not listed is visited child by child. */
  visit(node: SyntaxNode, scope: Scope): void {
    switch (node.name) {
      case 'VariableName':
        scope.read(this.text(node));
        return;
      case 'PropertyName':
      case 'Comment':
      case 'String':
        return;
      case 'PassStatement':
        return this.readMagicNames(node, scope);
      case 'AssignStatement':
        this.readMagicNames(node, scope);
        return this.visitAssign(node, scope);
      case 'UpdateStatement':
        return this.visitUpdate(node, scope);
      case 'CallExpression':
        return this.visitCall(node, scope);
      case 'ArgList':
        return this.visitArgs(node, scope);
      case 'NamedExpression':
        return this.visitWalrus(node, scope);
      case 'LambdaExpression':
        return this.visitLambda(node, scope);
      case 'FunctionDefinition':
        return this.visitFunction(node, scope);
      case 'ClassDefinition':
        return this.visitClass(node, scope);
      case 'ImportStatement':
        return this.visitImport(node, scope);
      case 'ScopeStatement':
        return this.visitScopeStatement(node, scope);
      case 'DeleteStatement':
        return this.visitDelete(node, scope);
      case 'ForStatement':
        return this.visitFor(node, scope);
      case 'WithStatement':
        return this.visitWith(node, scope);
      case 'TryStatement':
        return this.visitTry(node, scope);
      case 'MatchClause':
        return this.visitMatchClause(node, scope);
      case 'TypeDefinition':
        return this.visitTypeDefinition(node, scope);
      default:
        if (COMPREHENSIONS.has(node.name)) return this.visitComprehension(children(node).slice(1, -1), scope);
        this.visitAll(children(node), scope);
    }
  }

  /** Names the IPython line this statement replaced reads (`!ls {path}`) or binds (`%store -r x`). */
  private readMagicNames(node: SyntaxNode, scope: Scope): void {
    const line = this.lineOf(node.from);
    for (const name of this.magicReads.get(line) ?? []) scope.read(name);
    for (const name of this.magicWrites.get(line) ?? []) scope.bind(name);
  }

  private visitAssign(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    const ops = kids.flatMap((k, i) => (k.name === 'AssignOp' ? [i] : []));
    for (const k of kids) if (k.name === 'TypeDef') this.visitAll(children(k), scope);
    if (ops.length === 0) return; // `x: int` annotates without binding
    const value = kids.slice(ops.at(-1)! + 1);
    this.visitAll(value, scope);
    const targets = kids.slice(0, ops.at(-1)!).filter((k) => k.name !== 'AssignOp' && k.name !== 'TypeDef');
    for (const target of targets) this.bindTarget(target, scope);
    if (scope === this.cell) this.recordLiteral(targets, value);
  }

  private recordLiteral(targets: SyntaxNode[], value: SyntaxNode[]): void {
    const names = targets.filter((t) => t.name === 'VariableName').map((t) => this.text(t));
    const simple = targets.length === names.length && value.length === 1;
    const literal = simple ? literalValue(value[0]!, (n) => this.text(n)) : undefined;
    for (const t of targets) for (const name of this.boundNames(t)) this.literals.delete(name);
    if (literal !== undefined) for (const name of names) this.literals.set(name, literal);
  }

  private boundNames(node: SyntaxNode): string[] {
    if (node.name === 'VariableName') return [this.text(node)];
    if (['TupleExpression', 'ArrayExpression', 'ParenthesizedExpression'].includes(node.name)) {
      return children(node).flatMap((c) => this.boundNames(c));
    }
    return [];
  }

  /** The notebook-level name an expression like `df.loc[0].x` hangs from, if any. */
  private rootName(node: SyntaxNode): string | undefined {
    let n: SyntaxNode | null = node;
    while (n && n.name === 'MemberExpression') n = n.firstChild;
    return n?.name === 'VariableName' ? this.text(n) : undefined;
  }

  private mutateRoot(node: SyntaxNode, kind: MutationKind, scope: Scope, method?: string): void {
    const name = this.rootName(node);
    if (name) scope.mutate({ name, kind, line: this.lineOf(node.from), ...(method ? { method } : {}) });
  }

  /** Binds an assignment target; `a.b = ...` and `a[i] = ...` read `a` and mutate it. */
  bindTarget(node: SyntaxNode, scope: Scope): void {
    switch (node.name) {
      case 'VariableName':
        scope.bind(this.text(node));
        return;
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression':
        for (const c of children(node)) if (!PUNCTUATION.has(c.name)) this.bindTarget(c, scope);
        return;
      case 'MemberExpression': {
        this.visit(node, scope);
        const kind = children(node).some((c) => c.name === '[') && node.lastChild?.name === ']' ? 'item' : 'attribute';
        this.mutateRoot(node, kind, scope);
        return;
      }
      default:
        if (!PUNCTUATION.has(node.name)) this.visit(node, scope);
    }
  }

  private visitUpdate(node: SyntaxNode, scope: Scope): void {
    const [target, , ...value] = children(node);
    this.visitAll(value, scope);
    if (!target) return;
    this.visit(target, scope);
    this.mutateRoot(target, 'augmented', scope);
    if (target.name === 'VariableName') {
      scope.bind(this.text(target));
      if (scope === this.cell) this.literals.delete(this.text(target));
    }
  }

  private visitCall(node: SyntaxNode, scope: Scope): void {
    const [callee, args] = children(node);
    if (!callee) return;
    this.visit(callee, scope);
    if (args) this.visit(args, scope);
    if (callee.name !== 'MemberExpression') return;
    const method = callee.lastChild?.name === 'PropertyName' ? this.text(callee.lastChild) : undefined;
    const object = callee.firstChild;
    if (!object) return;
    const argKids = args ? children(args) : [];
    const inplace = argKids.some(
      (k, i) => k.name === 'VariableName' && this.text(k) === 'inplace' && argKids[i + 1]?.name === 'AssignOp'
        && argKids[i + 2] && this.text(argKids[i + 2]!) === 'True',
    );
    if (inplace) this.mutateRoot(object, 'inplace', scope, method);
    else if (method && MUTATING_METHODS.has(method)) this.mutateRoot(object, 'method', scope, method);
  }

  private visitArgs(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    if (kids.some((k) => k.name === 'for')) return this.visitComprehension(kids.slice(1, -1), scope);
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === 'VariableName' && kids[i + 1]?.name === 'AssignOp') {
        i++; // keyword argument name
        continue;
      }
      this.visit(k, scope);
    }
  }

  private visitWalrus(node: SyntaxNode, scope: Scope): void {
    const [target, , ...value] = children(node);
    this.visitAll(value, scope);
    if (target?.name === 'VariableName') scope.walrusBind(this.text(target));
  }

  /** `[elt for t in it if c for u in t2]`: the first iterable runs outside, everything else inside. */
  private visitComprehension(kids: SyntaxNode[], scope: Scope): void {
    const inner = new ComprehensionScope(scope);
    const firstFor = kids.findIndex((k) => k.name === 'for' || k.name === 'async');
    const elements = kids.slice(0, firstFor);
    let i = firstFor;
    let first = true;
    while (i >= 0 && i < kids.length) {
      const k = kids[i]!;
      if (k.name === 'async') {
        i++;
        continue;
      }
      if (k.name === 'for') {
        const inAt = kids.findIndex((c, j) => j > i && c.name === 'in');
        if (inAt < 0) break;
        const end = kids.findIndex((c, j) => j > inAt && ['for', 'if', 'async'].includes(c.name));
        const stop = end < 0 ? kids.length : end;
        this.visitAll(kids.slice(inAt + 1, stop), first ? scope : inner);
        for (const t of kids.slice(i + 1, inAt)) this.bindTarget(t, inner);
        first = false;
        i = stop;
      } else if (k.name === 'if') {
        const end = kids.findIndex((c, j) => j > i && ['for', 'if', 'async'].includes(c.name));
        const stop = end < 0 ? kids.length : end;
        this.visitAll(kids.slice(i + 1, stop), inner);
        i = stop;
      } else i++;
    }
    this.visitAll(elements, inner);
  }

  /** Parameters: names bound in `inner`; defaults and annotations evaluated in `outer`. */
  private visitParams(list: SyntaxNode | undefined, inner: Scope, outer: Scope): void {
    if (!list) return;
    const kids = children(list);
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === 'AssignOp') {
        const value = kids[i + 1];
        if (value) this.visit(value, outer);
        i++;
      } else if (k.name === 'TypeDef') this.visitAll(children(k), outer);
      else if (k.name === 'VariableName') inner.bind(this.text(k));
    }
  }

  private visitLambda(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    const inner = new FunctionScope(scope);
    this.visitParams(kids.find((k) => k.name === 'ParamList'), inner, scope);
    const colon = kids.findIndex((k) => k.name === ':');
    this.visitAll(kids.slice(colon + 1), inner);
    inner.close();
  }

  private visitTypeParams(node: SyntaxNode | undefined, inner: Scope): void {
    if (!node) return;
    for (const p of children(node)) for (const n of children(p)) if (n.name === 'VariableName') inner.bind(this.text(n));
  }

  private visitFunction(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    const nameNode = kids.find((k) => k.name === 'VariableName');
    const inner = new FunctionScope(scope);
    this.visitTypeParams(kids.find((k) => k.name === 'TypeParamList'), inner);
    this.visitParams(kids.find((k) => k.name === 'ParamList'), inner, scope);
    for (const k of kids) if (k.name === 'TypeDef') this.visitAll(children(k), scope);
    if (nameNode) this.bindDefinition(node, nameNode, 'function', scope);
    const body = kids.find((k) => k.name === 'Body');
    if (body) this.visitAll(children(body), inner);
    inner.close();
  }

  private bindDefinition(node: SyntaxNode, nameNode: SyntaxNode, kind: 'function' | 'class', scope: Scope): void {
    const name = this.text(nameNode);
    scope.bind(name);
    if (scope !== this.cell) return;
    this.literals.delete(name);
    const span = node.parent?.name === 'DecoratedStatement' ? node.parent : node;
    this.definitions.push({ name, kind, from: span.from, to: span.to, line: this.lineOf(span.from) });
  }

  private visitClass(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    const nameNode = kids.find((k) => k.name === 'VariableName');
    const args = kids.find((k) => k.name === 'ArgList');
    if (args) this.visit(args, scope);
    const inner = new ClassScope(scope);
    this.visitTypeParams(kids.find((k) => k.name === 'TypeParamList'), inner);
    const body = kids.find((k) => k.name === 'Body');
    if (body) this.visitAll(children(body), inner);
    if (nameNode) this.bindDefinition(node, nameNode, 'class', scope);
  }

  private visitImport(node: SyntaxNode, scope: Scope): void {
    const line = this.lineOf(node.from);
    for (const binding of importBindings(node, (n) => this.text(n))) {
      if (!binding.star) scope.bind(binding.bound);
      if (scope !== this.cell) continue;
      this.imports.push({ ...binding, line });
      this.literals.delete(binding.bound);
    }
  }

  private visitScopeStatement(node: SyntaxNode, scope: Scope): void {
    const [keyword, ...names] = children(node);
    const kind = keyword && this.text(keyword) === 'nonlocal' ? 'nonlocal' : 'global';
    for (const n of names) if (n.name === 'VariableName') scope.declare(kind, this.text(n));
  }

  private visitDelete(node: SyntaxNode, scope: Scope): void {
    const unbind = (target: SyntaxNode): void => {
      if (target.name === 'VariableName') {
        scope.read(this.text(target));
        scope.unbind(this.text(target));
        if (scope === this.cell) this.literals.delete(this.text(target));
      } else if (target.name === 'MemberExpression') {
        this.visit(target, scope);
        this.mutateRoot(target, 'delete', scope);
      } else if (!PUNCTUATION.has(target.name)) {
        for (const c of children(target)) unbind(c);
      }
    };
    for (const k of children(node).slice(1)) unbind(k);
  }

  private visitFor(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    const forAt = kids.findIndex((k) => k.name === 'for');
    const inAt = kids.findIndex((k) => k.name === 'in');
    const bodyAt = kids.findIndex((k) => k.name === 'Body');
    this.visitAll(kids.slice(inAt + 1, bodyAt), scope);
    for (const t of kids.slice(forAt + 1, inAt)) this.bindTarget(t, scope);
    this.visitAll(kids.slice(bodyAt), scope);
  }

  private visitWith(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === 'as') {
        const target = kids[i + 1];
        if (target) this.bindTarget(target, scope);
        i++;
      } else if (this.withTupleTargets.some(([from, to]) => k.from > from && k.to <= to)) this.bindTarget(k, scope);
      else this.visit(k, scope);
    }
  }

  private visitTry(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name !== 'except') {
        this.visit(k, scope);
        continue;
      }
      const bodyAt = kids.findIndex((c, j) => j > i && c.name === 'Body');
      const clause = kids.slice(i + 1, bodyAt);
      const asAt = clause.findIndex((c) => c.name === 'as');
      this.visitAll(asAt < 0 ? clause : clause.slice(0, asAt), scope);
      const target = asAt >= 0 ? clause[asAt + 1] : undefined;
      const body = kids[bodyAt];
      const visitBody = () => body && this.visit(body, scope);
      if (target && scope instanceof CellScope) scope.bindTemporarily(this.text(target), visitBody);
      else {
        if (target) scope.bind(this.text(target));
        visitBody();
      }
      i = bodyAt;
    }
  }

  private visitMatchClause(node: SyntaxNode, scope: Scope): void {
    for (const k of children(node)) {
      if (k.name === 'Body') this.visit(k, scope);
      else if (k.name.endsWith('Pattern')) this.visitPattern(k, scope);
      else this.visit(k, scope); // the guard
    }
  }

  private visitPattern(node: SyntaxNode, scope: Scope): void {
    const kids = children(node);
    switch (node.name) {
      case 'CapturePattern':
        for (const k of kids) if (k.name === 'VariableName' && this.text(k) !== '_') scope.bind(this.text(k));
        return;
      case 'AsPattern':
        for (let i = 0; i < kids.length; i++) {
          if (kids[i]!.name === 'as' && kids[i + 1]) scope.bind(this.text(kids[++i]!));
          else this.visitPattern(kids[i]!, scope);
        }
        return;
      case 'ClassPattern':
      case 'AttributePattern':
        for (const k of kids) if (k.name === 'PatternArgList') this.visitPattern(k, scope);
        else this.visit(k, scope);
        return;
      case 'KeywordPattern':
        for (const k of kids.slice(1)) this.visitPattern(k, scope);
        return;
      case 'LiteralPattern':
        return;
      default:
        for (const k of kids) this.visitPattern(k, scope);
    }
  }

  private visitTypeDefinition(node: SyntaxNode, scope: Scope): void {
    const [, name, ...rest] = children(node);
    if (name) scope.bind(this.text(name));
    this.visitAll(rest, scope);
  }
}
