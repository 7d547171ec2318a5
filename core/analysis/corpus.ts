/**
 * Tricky cells and what their dataflow must be. Each field given is compared as a set; fields left out are not
 * checked. `mutations` entries are `name:kind`; `error` is `line:column` of the reported syntax error.
 */
export interface CorpusCase {
  name: string;
  source: string;
  reads?: string[];
  writes?: string[];
  builtins?: string[];
  mutations?: string[];
  deletes?: string[];
  imports?: string[];
  functions?: string[];
  classes?: string[];
  globals?: string[];
  magics?: string[];
  literals?: Record<string, unknown>;
  error?: string | null;
}

/** The corpus: at least 60 cells covering scopes, targets, mutations, imports and IPython syntax. */
export const CORPUS: CorpusCase[] = [
  // assignments
  { name: 'simple assignment', source: 'x = 1', reads: [], writes: ['x'], literals: { x: 1 } },
  { name: 'read then write of the same name', source: 'x = x + 1', reads: ['x'], writes: ['x'], literals: {} },
  { name: 'write then read', source: 'y = 2\nz = y * 3', reads: [], writes: ['y', 'z'] },
  { name: 'chained assignment', source: 'a = b = c', reads: ['c'], writes: ['a', 'b'] },
  { name: 'tuple unpacking with star', source: 'first, *rest = items', reads: ['items'], writes: ['first', 'rest'] },
  { name: 'nested unpacking in brackets', source: '[a, (b, c)] = pairs', reads: ['pairs'], writes: ['a', 'b', 'c'] },
  { name: 'annotated assignment', source: 'n: int = size', reads: ['size'], writes: ['n'], builtins: ['int'] },
  { name: 'bare annotation binds nothing', source: 'n: MyType', reads: ['MyType'], writes: [] },
  { name: 'value evaluated before targets', source: 'df = df.dropna()', reads: ['df'], writes: ['df'], mutations: [] },
  { name: 'semicolons', source: 'a = 1; b = a; c = d', reads: ['d'], writes: ['a', 'b', 'c'] },
  { name: 'literal params', source: 'lr = 0.01\nepochs = 10\nname = "adam"\nflags = [1, -2]\nmaybe = None\ncfg = {"a": True}',
    literals: { lr: 0.01, epochs: 10, name: 'adam', flags: [1, -2], maybe: null, cfg: { a: true } } },
  { name: 'dict literal keys stay data', source: 'cfg = {"__proto__": 1, "b": [True, None]}', literals: { cfg: { ['__proto__']: 1, b: [true, null] } } },
  { name: 'computed values are not literals', source: 'a = 1 + 2\nb = f(1)\nc = 3\nc += 1', literals: {} },
  // mutations
  { name: 'item assignment mutates', source: 'df["total"] = df.a + df.b', reads: ['df'], writes: [], mutations: ['df:item'] },
  { name: 'attribute assignment mutates', source: 'model.threshold = 0.5', reads: ['model'], mutations: ['model:attribute'] },
  { name: 'deep target mutates its root', source: 'df.loc[df.x > 0, "y"] = 1', reads: ['df'], mutations: ['df:item'] },
  { name: 'append mutates', source: 'results.append(score)', reads: ['results', 'score'], mutations: ['results:method'] },
  { name: 'update mutates', source: 'config.update({"lr": lr})', reads: ['config', 'lr'], mutations: ['config:method'] },
  { name: 'fit mutates the model', source: 'model.fit(X_train, y_train)', reads: ['model', 'X_train', 'y_train'], mutations: ['model:method'] },
  { name: 'inplace=True mutates', source: 'df.dropna(inplace=True)', reads: ['df'], mutations: ['df:inplace'] },
  { name: 'inplace=False does not', source: 'df2 = df.dropna(inplace=False)', reads: ['df'], writes: ['df2'], mutations: [] },
  { name: 'augmented assignment', source: 'total += x', reads: ['total', 'x'], writes: ['total'], mutations: ['total:augmented'] },
  { name: 'augmented item assignment', source: 'counts[k] += 1', reads: ['counts', 'k'], writes: [], mutations: ['counts:augmented'] },
  { name: 'mutating a value made in the same cell is not a mutation', source: 'xs = []\nxs.append(1)', reads: [], writes: ['xs'], mutations: [] },
  { name: 'non-mutating method', source: 'm = df.mean()', reads: ['df'], writes: ['m'], mutations: [] },
  { name: 'keyword argument names are not reads', source: 'plot(x=a, color=c)', reads: ['plot', 'a', 'c'] },
  // del
  { name: 'del a name', source: 'del tmp', reads: ['tmp'], writes: [], deletes: ['tmp'] },
  { name: 'del an item mutates', source: 'del df["a"]', reads: ['df'], deletes: [], mutations: ['df:delete'] },
  { name: 'write then del leaves nothing', source: 'tmp = load()\ndel tmp', reads: ['load'], writes: [], deletes: ['tmp'] },
  { name: 'del several', source: 'del a, b.c, d[0]', reads: ['a', 'b', 'd'], deletes: ['a'], mutations: ['b:delete', 'd:delete'] },
  // imports
  { name: 'import as', source: 'import numpy as np', writes: ['np'], imports: ['np'] },
  { name: 'dotted import binds the package', source: 'import os.path', writes: ['os'], imports: ['os'] },
  { name: 'from import with aliases', source: 'from sklearn.linear_model import LogisticRegression as LR, Ridge', writes: ['LR', 'Ridge'], imports: ['LR', 'Ridge'] },
  { name: 'parenthesised from import', source: 'from a import (\n  b,\n  c as d,\n)', writes: ['b', 'd'] },
  { name: 'relative import', source: 'from .helpers import clean', writes: ['clean'], imports: ['clean'] },
  { name: 'star import', source: 'from pandas import *', writes: [], imports: ['*'] },
  // functions and classes
  { name: 'function body reads globals lazily', source: 'def f(a):\n    return a + offset', reads: ['offset'], writes: ['f'], functions: ['f'] },
  { name: 'function locals are not reads', source: 'def f():\n    y = 1\n    return y', reads: [], writes: ['f'] },
  { name: 'name local to whole function even if assigned later', source: 'def f():\n    print(v)\n    v = 2', reads: [], builtins: ['print'] },
  { name: 'function uses a name the cell defines afterwards', source: 'def f():\n    return helper()\ndef helper():\n    return 1', reads: [], writes: ['f', 'helper'] },
  { name: 'defaults and annotations are evaluated at def time', source: 'def f(x: Tensor = default, *args, k=kdef, **kw) -> Result:\n    return x', reads: ['Tensor', 'default', 'kdef', 'Result'] },
  { name: 'decorator reads', source: '@lru_cache(maxsize=size)\ndef f(n):\n    return n', reads: ['lru_cache', 'size'], writes: ['f'] },
  { name: 'global statement in a function writes', source: 'def reset():\n    global counter\n    counter = 0', reads: [], writes: ['reset', 'counter'] },
  { name: 'global read in function', source: 'def g():\n    global state\n    return state', reads: ['state'], writes: ['g'] },
  { name: 'nonlocal resolves to the outer function', source: 'def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n    return inner', reads: [], writes: ['outer'] },
  { name: 'closure over outer local', source: 'def outer(a):\n    def inner():\n        return a + b\n    return inner', reads: ['b'] },
  { name: 'function mutating a global', source: 'def add(x):\n    results.append(x)', reads: ['results'], mutations: ['results:method'] },
  { name: 'class body and bases', source: 'class Model(Base):\n    size = default_size\n    def fit(self):\n        return size', reads: ['Base', 'default_size', 'size'], writes: ['Model'], classes: ['Model'] },
  { name: 'class names are invisible inside its comprehensions', source: 'class A:\n    n = 3\n    xs = [n for _ in range(2)]', reads: ['n'], writes: ['A'] },
  { name: 'the first iterable of a comprehension in a class sees the class', source: 'class A:\n    n = 3\n    ys = [i for i in range(n)]', reads: [], writes: ['A'] },
  { name: 'method self mutations are local', source: 'class A:\n    def set(self, v):\n        self.v = v', reads: [], mutations: [] },
  { name: 'lambda parameters are local', source: 'f = lambda q, k=kdef: q + k + scale', reads: ['kdef', 'scale'], writes: ['f'] },
  { name: 'async function', source: 'async def fetch(url):\n    async with session.get(url) as r:\n        return await r.json()', reads: ['session'], writes: ['fetch'] },
  // comprehensions and walrus
  { name: 'comprehension target is local', source: 'squares = [i * i for i in range(n)]', reads: ['n'], writes: ['squares'], builtins: ['range'] },
  { name: 'comprehension target does not leak', source: '[i for i in xs]\nprint(i)', reads: ['xs', 'i'] },
  { name: 'nested comprehension', source: 'pairs = [(a, b) for a in xs for b in ys if a != b]', reads: ['xs', 'ys'], writes: ['pairs'] },
  { name: 'dict comprehension', source: 'd = {k: v * w for k, v in items.items()}', reads: ['items', 'w'], writes: ['d'] },
  { name: 'generator in a call', source: 'total = sum(x for x in values if x > cutoff)', reads: ['values', 'cutoff'], writes: ['total'] },
  { name: 'walrus binds in the cell', source: 'if (n := len(data)) > 10:\n    print(n)', reads: ['data'], writes: ['n'] },
  { name: 'walrus in a comprehension leaks to the cell', source: 'vals = [y for x in xs if (y := f(x))]', reads: ['xs', 'f'], writes: ['vals', 'y'] },
  // control flow targets
  { name: 'for target', source: 'for i, (a, b) in enumerate(pairs):\n    acc = a', reads: ['pairs'], writes: ['i', 'a', 'b', 'acc'] },
  { name: 'with target', source: 'with open(path) as fh:\n    text = fh.read()', reads: ['path'], writes: ['fh', 'text'] },
  { name: 'except target is unbound after the clause', source: 'try:\n    r = run()\nexcept ValueError as err:\n    log(err)', reads: ['run', 'log'], writes: ['r'] },
  { name: 'while with walrus', source: 'while (chunk := stream.read()):\n    chunks.append(chunk)', reads: ['stream', 'chunks'], writes: ['chunk'], mutations: ['chunks:method'] },
  { name: 'match statement captures', source: 'match event:\n    case {"kind": kind, **rest}:\n        pass\n    case Point(x=0, y=yy) as p:\n        pass\n    case [first, *others] if first > limit:\n        pass', reads: ['event', 'Point', 'limit'], writes: ['kind', 'rest', 'yy', 'p', 'first', 'others'] },
  { name: 'f-string reads', source: 'msg = f"{name!r}: {value:{width}.2f}"', reads: ['name', 'value', 'width'], writes: ['msg'] },
  { name: 'conditional expression', source: 'y = a if cond else b', reads: ['a', 'cond', 'b'] },
  { name: 'type alias statement', source: 'type Vector = list[float]', writes: ['Vector'], reads: [] },
  { name: 'parenthesised with items', source: 'with (open(a) as f,\n      open(b) as g):\n    data = f.read() + g.read()', reads: ['a', 'b'], writes: ['f', 'g', 'data'], error: null },
  { name: 'with tuple target', source: 'with pair() as (left, right), lock:\n    both = left + right', reads: ['pair', 'lock'], writes: ['left', 'right', 'both'], error: null },
  // IPython
  { name: 'line magic', source: '%matplotlib inline\nimport matplotlib.pyplot as plt', writes: ['plt'], magics: ['line:matplotlib'], error: null },
  { name: 'shell line with interpolation', source: '!pip install {package}\n!echo $HOME_DIR', reads: ['package', 'HOME_DIR'], magics: ['shell:pip', 'shell:echo'], error: null },
  { name: 'shell output assigned', source: 'files = !ls {folder}', reads: ['folder'], writes: ['files'], magics: ['shell:ls'], error: null },
  { name: 'time magic keeps the statement', source: '%time result = train(data)', reads: ['train', 'data'], writes: ['result'], magics: ['line:time'], error: null },
  { name: 'timeit with options', source: '%timeit -n 10 -r 3 f(x)', reads: ['f', 'x'], error: null },
  { name: 'cell magic with a Python body', source: '%%time\nmodel = fit(X)', reads: ['fit', 'X'], writes: ['model'], magics: ['cell:time'], error: null },
  { name: 'capture cell magic binds its variable', source: '%%capture out\nprint(x)', reads: ['x'], writes: ['out'], error: null },
  { name: 'foreign cell magic has no names', source: '%%bash\nfor f in *.csv; do echo $f; done', reads: [], writes: [], magics: ['cell:bash'], error: null },
  { name: 'magic inside an indented block', source: 'if debug:\n    %pdb on\nx = 1', reads: ['debug'], writes: ['x'], error: null },
  { name: 'store -r restores variables', source: '%store -r model scaler\npred = model.predict(x)', reads: ['x'], writes: ['model', 'scaler', 'pred'], magics: ['line:store'], error: null },
  { name: 'help syntax', source: 'df.merge?\n??np.where', reads: [], magics: ['help:df.merge', 'help:np.where'], error: null },
  { name: 'percent in a continued expression is modulo', source: 'r = (a\n% b)', reads: ['a', 'b'], magics: [], error: null },
  { name: 'percent line inside a triple-quoted string', source: 'q = """\n%s rows\n!not shell\n""" % n', reads: ['n'], magics: [], error: null },
  // syntax errors
  { name: 'syntax error is located', source: 'x = 1\ny = (2 +\nz = 3', error: '3:3' },
  { name: 'unterminated def', source: 'def f(:\n    pass', error: '1:7' },
  { name: 'Python 2 print statement is an error', source: 'x = 1\nprint "x", x', error: '2:1' },
  { name: 'unclosed bracket at the end of the cell', source: 'total = sum((1,\n', error: '2:1' },
  { name: 'valid cell has no error', source: 'x = [1, 2,\n     3]', error: null },
];
