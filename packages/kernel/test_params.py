"""Params and names from cell source: literal assignments, the parameters cell, IPython syntax."""
import textwrap

import pytest

import runtrail_kernel as rk


def params_of(source):
    return rk._analyze_cell(textwrap.dedent(source))["params"]


def test_literal_assignments_are_params():
    assert params_of(
        """
        lr = 0.001
        epochs = 10
        name = "baseline"
        use_gpu = False
        seed = None
        layers = [64, 64, (3, 4)]
        opts = {"optimizer": "adam", "betas": [0.9, 0.999]}
        negative = -3
        scaled = 1e-3
        """
    ) == {
        "lr": 0.001, "epochs": 10, "name": "baseline", "use_gpu": False, "seed": None,
        "layers": [64, 64, [3, 4]], "opts": {"optimizer": "adam", "betas": [0.9, 0.999]},
        "negative": -3, "scaled": 0.001,
    }


def test_non_literals_are_ignored():
    assert params_of(
        """
        import numpy as np
        x = np.zeros(3)
        y = lr * 2
        z = f"{lr}"
        s = {1, 2}
        b = b"bytes"
        c = 1j
        inf = float("inf")
        keyed = {1: "int keys are not JSON"}
        big = list(range(1000))
        huge = [0] * 1000
        data = [1] * 3
        """
    ) == {}
    assert params_of("big = [%s]" % ", ".join(["1"] * 500)) == {}
    assert params_of("text = %r" % ("x" * 7000)) == {}


def test_targets_are_handled_sensibly():
    assert params_of("a, b = 1, 'two'") == {"a": 1, "b": "two"}
    assert params_of("[a, (b, c)] = [1, (2, 3)]") == {"a": 1, "b": 2, "c": 3}
    assert params_of("a = b = 5") == {"a": 5, "b": 5}
    assert params_of("a, b = b, a") == {}
    assert params_of("a, *rest = 1, 2, 3") == {}
    assert params_of("lr: float = 0.1\nhint: int") == {"lr": 0.1}
    assert params_of("n = 10\nn *= 3\nm = 'a'\nm += 'b'") == {"n": 30, "m": "ab"}
    assert params_of("total += 1") == {}  # not assigned a literal in this cell: a computation, not a param
    assert params_of("lr = 0.1\nlr = compute()") == {}  # the last binding is not a literal
    assert params_of("lr = compute()\nlr = 0.2") == {"lr": 0.2}
    assert params_of("k = 1\nfor k in range(3): pass") == {}
    assert params_of("df.x = 1\nd['k'] = 2\nobj.attr.y = 3") == {}
    assert params_of("_ = 1\n__x = 2") == {"__x": 2}


def test_only_top_level_assignments():
    assert params_of(
        """
        def f():
            inner = 1
        class C:
            attr = 2
        if True:
            branch = 3
        top = 4
        """
    ) == {"top": 4}


@pytest.mark.parametrize("cell, expected", [
    ("%matplotlib inline\nlr = 0.5", {"lr": 0.5}),
    ("!pip list\nbatch = 32", {"batch": 32}),
    ("files = !ls\nn = 2", {"n": 2}),
    ("x = %pwd\ny = 'ok'", {"y": "ok"}),
    ("%%bash\necho hi\nz = 1", {}),
    ("for i in range(2):\n    !echo $i\nalpha = 0.3", {"alpha": 0.3}),
    ("np.zeros?\nbeta = 2", {"beta": 2}),
])
def test_ipython_syntax_does_not_break_parsing(cell, expected):
    assert params_of(cell) == expected
    assert rk._analyze_cell(rk._strip_magics(cell))["params"] == expected


def test_names_written_and_referenced():
    analysis = rk._analyze_cell(textwrap.dedent(
        """
        import numpy as np
        from os import path as p
        import a.b.c
        def fit(model): pass
        class Net: pass
        for i, (x, y) in enumerate(pairs): pass
        with open("f") as handle: pass
        if (n := 3) > 2: total = n
        df.loc[3, "a"] = 0
        arr[5] += 1
        del old
        """
    ))
    assert analysis["written"] == ["np", "p", "a", "fit", "Net", "i", "x", "y", "handle", "n", "total"]
    assert {"df", "arr", "pairs", "enumerate", "open", "old", "n"} <= analysis["referenced"]


def test_expression_statements_bind_only_through_walrus():
    analysis = rk._analyze_cell("df.head()\nprint(m := 4)\n[k for k in range(3)]\n")
    assert analysis["written"] == ["m"]
    assert rk._analyze_cell("df.head()\n[k for k in range(3)]\n")["written"] == []


def test_the_analysis_walk_visits_what_ast_walk_visits_in_the_same_order():
    """_walk replaces ast.walk for speed: same nodes, same order, less the contexts and aliases nobody looks at."""
    import ast
    import inspect

    sources = [inspect.getsource(rk), textwrap.dedent(
        """
        async def f(a, /, b=1, *c, d, **e) -> int:
            async with x as (y, z):
                async for i in g():
                    await h(f"{i!r:>{w}}", key=lambda q: q[1:2, ...])
            match p:
                case {"k": [1, *rest]} | Point(x=0) if rest: pass
                case None: pass
            try: pass
            except* ValueError as err: raise err from None
            return {k: v for k, v in d.items() if (t := v)} or {*s} or (yield)
        """)]
    for source in sources:
        tree = ast.parse(source)
        expected = [n for n in ast.walk(tree) if not isinstance(n, (ast.expr_context, ast.alias))]
        assert [id(n) for n in rk._walk(tree)] == [id(n) for n in expected]


def test_literal_file_paths_in_reader_calls():
    analysis = rk._analyze_cell(
        "df = pd.read_parquet('data/train.parquet')\n"
        "t = pl.scan_csv(source='raw.csv')\n"
        "arr = np.load('a.npy')\n"
        "other = pd.read_csv(path_variable)\n"
    )
    assert analysis["paths"] == ["data/train.parquet", "raw.csv", "a.npy"]


def test_cells_records_in_the_delta(nb):
    nb.run("lr = 0.1\nepochs = 3", cell_id="params")
    delta = nb.delta()
    assert delta["cells"] == [{"executionCount": 1, "namesWritten": ["lr", "epochs"], "params": [
        {"key": "lr", "value": 0.1, "origin": "literal-assignment"},
        {"key": "epochs", "value": 3, "origin": "literal-assignment"},
    ]}]
    nb.run("lr = 0.2\nmodel = object()", cell_id="later")
    delta = nb.delta()
    assert delta["cells"] == [{"executionCount": 2, "namesWritten": ["lr", "model"],
                               "params": [{"key": "lr", "value": 0.2, "origin": "literal-assignment"}]}]


def test_a_failed_cell_reports_only_the_assignments_that_ran(nb):
    nb.run("before = 1\nraise RuntimeError('boom')\nafter = 2", cell_id="bad")
    [record] = nb.delta()["cells"]
    assert record["params"] == [{"key": "before", "value": 1, "origin": "literal-assignment"}]
    assert record["namesWritten"] == ["before", "after"]


def test_cells_queued_before_the_request_come_as_one_record_each(nb):
    nb.run("a = 1", cell_id="c1")
    nb.run("%xmode Plain", cell_id="c2")
    nb.run("a = 3\nb = 'x'", cell_id="c3")
    delta = nb.delta()
    assert [(c["executionCount"], c["namesWritten"], record_params(c)) for c in delta["cells"]] == [
        (1, ["a"], {"a": 1}), (2, [], {}), (3, ["a", "b"], {"a": 3, "b": "x"})]
    assert nb.delta()["cells"] == []


def record_params(record):
    return {p["key"]: p["value"] for p in record["params"]}
