/**
 * Python name scopes as the dataflow walker sees them.
 *
 * The cell (module) scope is sequential: a name read before the cell binds it is a read of the notebook's state.
 * Function and lambda bodies run later, so their free names are collected and resolved when the scope closes
 * (any binding anywhere in a function makes a name local to all of it, as in Python). Class bodies run at once
 * but are skipped by the functions nested in them; comprehensions have their own targets, while a walrus inside
 * them binds in the enclosing scope.
 */

/** How a name's value was changed in place. */
export type MutationKind = 'item' | 'attribute' | 'method' | 'inplace' | 'augmented' | 'delete';

/** An in-place change of a notebook-level value (`df["a"] = 1`, `model.fit(X)`, `x += 1`). */
export interface Mutation {
  name: string;
  kind: MutationKind;
  /** The method called for `method` mutations (`append`, `fit`, ...). */
  method?: string;
  /** 1-based line in the cell. */
  line: number;
}

/** The operations every scope offers the walker. */
export interface Scope {
  read(name: string): void;
  bind(name: string): void;
  /** A binding made by `:=`, which skips comprehension scopes. */
  walrusBind(name: string): void;
  /** A free name of a nested function scope, resolved here or further out. */
  propagate(name: string): void;
  mutate(mutation: Mutation): void;
  unbind(name: string): void;
  declare(kind: 'global' | 'nonlocal', name: string): void;
  readonly module: CellScope;
}

/** The top level of a cell: what the cell reads from and leaves in the notebook's namespace. */
export class CellScope implements Scope {
  readonly module = this;
  readonly reads = new Set<string>();
  readonly writes = new Set<string>();
  readonly deletes = new Set<string>();
  readonly declared = { global: new Set<string>(), nonlocal: new Set<string>() };
  readonly mutations: Mutation[] = [];
  private readonly written = new Set<string>();
  private readonly deferred = new Set<string>();
  private readonly laterWrites = new Set<string>();

  read(name: string): void {
    if (!this.written.has(name)) this.reads.add(name);
  }
  bind(name: string): void {
    this.written.add(name);
    this.writes.add(name);
    this.deletes.delete(name);
  }
  walrusBind(name: string): void {
    this.bind(name);
  }
  propagate(name: string): void {
    this.deferred.add(name);
  }
  mutate(mutation: Mutation): void {
    this.mutations.push(mutation);
  }
  unbind(name: string): void {
    this.written.delete(name);
    this.writes.delete(name);
    this.deletes.add(name);
  }
  declare(kind: 'global' | 'nonlocal', name: string): void {
    this.declared[kind].add(name);
  }
  /** A function body assigns this global: the cell defines it once the function is called. */
  bindFromFunction(name: string): void {
    this.laterWrites.add(name);
  }
  /** Binds a name only for the duration of `body` (an `except ... as e` target is deleted afterwards). */
  bindTemporarily(name: string, body: () => void): void {
    const had = this.written.has(name);
    const hadWrite = this.writes.has(name);
    this.bind(name);
    body();
    if (!had) this.written.delete(name);
    if (!hadWrite) this.writes.delete(name);
  }
  /** Settles names used by function bodies: those the cell never binds are reads of the notebook's state. */
  close(): void {
    for (const name of this.laterWrites) this.writes.add(name);
    for (const name of this.deferred) if (!this.writes.has(name)) this.reads.add(name);
  }
}

/** A `def` or `lambda` body. */
export class FunctionScope implements Scope {
  readonly module: CellScope;
  private readonly bound = new Set<string>();
  private readonly used: string[] = [];
  private readonly pendingMutations: Mutation[] = [];
  private readonly declared = { global: new Set<string>(), nonlocal: new Set<string>() };

  constructor(private readonly parent: Scope) {
    this.module = parent.module;
  }
  read(name: string): void {
    this.used.push(name);
  }
  bind(name: string): void {
    if (this.declared.global.has(name)) this.module.bindFromFunction(name);
    else if (!this.declared.nonlocal.has(name)) this.bound.add(name);
  }
  walrusBind(name: string): void {
    this.bind(name);
  }
  propagate(name: string): void {
    this.used.push(name);
  }
  mutate(mutation: Mutation): void {
    this.pendingMutations.push(mutation);
  }
  unbind(name: string): void {
    this.bind(name);
  }
  declare(kind: 'global' | 'nonlocal', name: string): void {
    this.declared[kind].add(name);
  }
  private isLocal(name: string): boolean {
    return this.bound.has(name) && !this.declared.global.has(name) && !this.declared.nonlocal.has(name);
  }
  /** Hands the names this body did not bind to the enclosing scope. */
  close(): void {
    for (const name of this.used) {
      if (this.declared.global.has(name)) this.module.propagate(name);
      else if (!this.isLocal(name)) this.parent.propagate(name);
    }
    for (const m of this.pendingMutations) {
      if (this.declared.global.has(m.name)) this.module.mutate(m);
      else if (!this.isLocal(m.name)) this.parent.mutate(m);
    }
  }
}

/** A class body: runs at once, but its names are invisible to the methods defined in it. */
export class ClassScope implements Scope {
  readonly module: CellScope;
  private readonly local = new Set<string>();

  constructor(private readonly parent: Scope) {
    this.module = parent.module;
  }
  read(name: string): void {
    if (!this.local.has(name)) this.parent.read(name);
  }
  bind(name: string): void {
    this.local.add(name);
  }
  walrusBind(name: string): void {
    this.bind(name);
  }
  propagate(name: string): void {
    this.parent.propagate(name);
  }
  /** A read from a comprehension in this body, which does not see the body's names. */
  readFromNested(name: string): void {
    this.parent.read(name);
  }
  mutate(mutation: Mutation): void {
    if (!this.local.has(mutation.name)) this.parent.mutate(mutation);
  }
  unbind(name: string): void {
    this.local.delete(name);
  }
  declare(): void {}
}

/** A comprehension or generator expression: its `for` targets are its own. */
export class ComprehensionScope implements Scope {
  readonly module: CellScope;
  private readonly local = new Set<string>();

  constructor(private readonly parent: Scope) {
    this.module = parent.module;
  }
  read(name: string): void {
    if (this.local.has(name)) return;
    // A class body's names are invisible inside its comprehensions (only the first iterable runs in the class).
    if (this.parent instanceof ClassScope) this.parent.readFromNested(name);
    else this.parent.read(name);
  }
  bind(name: string): void {
    this.local.add(name);
  }
  walrusBind(name: string): void {
    this.parent.walrusBind(name);
  }
  propagate(name: string): void {
    if (!this.local.has(name)) this.parent.propagate(name);
  }
  mutate(mutation: Mutation): void {
    if (!this.local.has(mutation.name)) this.parent.mutate(mutation);
  }
  unbind(name: string): void {
    this.local.delete(name);
  }
  declare(): void {}
}
