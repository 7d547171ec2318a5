"""What keeps the helper's per-cell work small stays exact: the cached cell analysis, columns read from pandas'
block manager, and the long-lived display object the delta is formatted through (one identity check in the
shell's wrapped `display_formatter.format`)."""
import json

import numpy as np
import pandas as pd

from conftest import delta_expression, delta_request


def test_a_cached_cell_analysis_still_sees_functions_defined_by_later_cells(nb):
    rt = nb.rt
    source = "clean(df)\ntotal = 1"
    before = rt._analyze_cell(source, {})
    assert before["mutated"] == set() and before["params"] == {"total": 1}
    assert rt._analyze_cell(source, {}) is before  # cached by source text
    known = {"clean": frozenset({"log"})}  # `def clean(frame): frame.loc[0] = 0; log.append(1)` in an earlier cell
    after = rt._analyze_cell(source, known)
    assert after["mutated"] == {"df", "log"}
    assert rt._analyze_cell(source, {})["mutated"] == set()  # the cached entry was not changed
    # A function the cell defines itself takes precedence over an earlier one of the same name: its argument
    # counts (as for any function of the notebook), the earlier one's globals do not.
    own = rt._analyze_cell("def clean(frame):\n    pass\nclean(df)", known)
    assert own["mutated"] == {"df"}


def test_a_function_defined_in_one_cell_makes_its_call_in_a_re_run_cell_a_change(nb):
    nb.run("import numpy as np\nsmall = np.zeros(10)\ndef touch(a):\n    pass")
    nb.delta()
    nb.run("touch(small)")
    assert nb.delta()["snapshots"] == []  # mentioned and re-hashed (small), unchanged
    nb.run("def touch(a):\n    a[3] = 1.0")
    nb.delta()
    nb.run("touch(small)")  # same source as before, now a function that writes its argument
    [snap] = nb.delta()["snapshots"]
    assert snap["name"] == "small"


def test_frame_columns_from_the_block_manager_are_what_items_gives():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.random(50), "b": rng.integers(0, 9, 50), "s": ["x%d" % i for i in range(50)],
                          "c": pd.Categorical(rng.integers(0, 3, 50)), "m": pd.array(rng.integers(0, 5, 50), dtype="Int64"),
                          "t": pd.date_range("2020", periods=50, tz="UTC")})
    frame.insert(1, "a", 2.5, allow_duplicates=True)
    frame["b2"] = frame["b"] * 2
    import runtrail_kernel as rk

    columns = rk._pandas_columns(frame)
    expected = list(frame.items())
    assert [c[0] for c in columns] == [c for c, _ in expected]
    for (label, values, dtype), (_, series) in zip(columns, expected):
        assert dtype == series.dtype and type(values) is type(series._values)
        assert np.array_equal(np.asarray(values, dtype=object), np.asarray(series._values, dtype=object))


def test_the_delta_is_formatted_as_application_json_through_the_shells_formatters(nb):
    shell = nb.shell
    nb.run("x = 1", cell_id="c1")
    request = json.dumps(delta_request(notebook_dir=nb.dir))
    answer = shell.user_expressions({"runtrail": delta_expression(delta_request(notebook_dir=nb.dir))})["runtrail"]
    assert answer["status"] == "ok"
    data = answer["data"]
    assert set(data) == {"application/json", "text/plain"}
    assert data["application/json"]["cells"][0]["params"] == [{"key": "x", "value": 1, "origin": "literal-assignment"}]
    assert data["text/plain"] == "<runtrail delta %d>" % data["application/json"]["seq"]
    again = shell.user_expressions({"runtrail": "__import__('runtrail')._delta(%s)" % json.dumps(request)})["runtrail"]
    assert again["data"]["application/json"]["seq"] == data["application/json"]["seq"] + 1
    assert again["data"]["application/json"]["cells"] == []
    # Other objects are formatted as before; uninstalling puts the shell's own methods back.
    assert shell.display_formatter.format(1.5)[0] == {"text/plain": "1.5"}
    nb.rt._uninstall()
    assert "format" not in vars(shell.display_formatter) and "user_expressions" not in vars(shell)
    assert shell.display_formatter.format(__import__("sys")._runtrail_display)[0]["text/plain"].startswith("<runtrail delta")


def test_a_change_through_another_name_is_found_by_the_periodic_full_check(nb, monkeypatch):
    monkeypatch.setitem(nb.rt.__dict__, "_FULL_CHECK_S", 3600.0)  # only the delta count triggers it here
    nb.run("import numpy as np\nsmall = np.zeros(10)\nother = small")
    nb.delta()
    nb.run("other[3] = 1.0")  # `small` is the same array, but this cell does not name it
    first = {s["name"] for s in nb.delta()["snapshots"]}
    assert first == {"other"}
    found = []
    for i in range(nb.rt._FULL_CHECK_EVERY):
        nb.run("y = %d" % i)
        found += [s["name"] for s in nb.delta()["snapshots"]]
    assert found == ["small"]


def test_user_expressions_keep_their_order_and_errors_beside_the_compiled_delta_expression(nb):
    shell = nb.shell
    nb.run("k = 3", cell_id="c1")
    expression = delta_expression(delta_request(notebook_dir=nb.dir))
    answers = shell.user_expressions({"a": "k * 2", "runtrail": expression, "bad": "1 / 0",
                                      "broken": expression[:-1], "b": "k + 1"})
    assert list(answers) == ["a", "runtrail", "bad", "broken", "b"]
    assert answers["a"]["data"] == {"text/plain": "6"} and answers["b"]["data"] == {"text/plain": "4"}
    assert answers["bad"]["status"] == "error" and answers["bad"]["ename"] == "ZeroDivisionError"
    assert answers["broken"]["status"] == "error" and answers["broken"]["ename"] == "SyntaxError"
    first = answers["runtrail"]["data"]["application/json"]
    assert first["cells"][0]["params"] == [{"key": "k", "value": 3, "origin": "literal-assignment"}]
    nb.run("k = 4", cell_id="c2")
    again = shell.user_expressions({"runtrail": expression})["runtrail"]["data"]["application/json"]
    assert again["seq"] == first["seq"] + 1 and again["cells"][0]["params"][0]["value"] == 4


def test_the_analysis_of_a_cell_takes_the_tree_ipython_parsed_to_run_it(nb, monkeypatch):
    shell = nb.shell
    nb.run("lr = 0.5\nframe_count = lr * 2", cell_id="c1")
    source, tree = nb.rt._parsed
    assert source == "lr = 0.5\nframe_count = lr * 2\n" and tree is not None
    parses = []
    monkeypatch.setattr(nb.rt.ast, "parse", lambda *a, **k: parses.append(a) or __import__("ast").Module([], []))
    delta = nb.delta()
    assert parses == [] and nb.rt._parsed == [None, None]  # not parsed twice, and not kept after
    assert delta["cells"][0]["params"] == [{"key": "lr", "value": 0.5, "origin": "literal-assignment"}]
    assert delta["cells"][0]["namesWritten"] == ["lr", "frame_count"]
    monkeypatch.undo()

    class Noop:  # an AST transformer may change the tree before it runs: then the analysis parses the text
        def visit(self, node):
            return node

    shell.ast_transformers.append(Noop())
    try:
        nb.run("epochs = 3", cell_id="c2")
        assert nb.rt._parsed == [None, None]
        assert nb.delta()["cells"][0]["params"] == [{"key": "epochs", "value": 3, "origin": "literal-assignment"}]
    finally:
        shell.ast_transformers.pop()
    nb.rt._uninstall()
    assert "ast_parse" not in vars(shell.compile)


def test_the_delta_expression_is_answered_as_ipython_would_format_it(nb, monkeypatch):
    import types

    shell = nb.shell
    expression = delta_expression(delta_request(notebook_dir=nb.dir))
    nb.run("k = 5", cell_id="c1")
    direct = shell.user_expressions({"runtrail": expression})["runtrail"]
    nb.run("k = 6", cell_id="c2")
    evaluated = type(shell).user_expressions(shell, {"runtrail": expression})["runtrail"]  # IPython's own method
    assert direct["status"] == evaluated["status"] == "ok" and direct["metadata"] == evaluated["metadata"] == {}
    assert set(direct["data"]) == set(evaluated["data"]) == {"application/json", "text/plain"}
    first, second = direct["data"]["application/json"], evaluated["data"]["application/json"]
    assert second["seq"] == first["seq"] + 1 and set(first) == set(second)
    assert [c["params"] for c in (first["cells"] + second["cells"])] == [
        [{"key": "k", "value": 5, "origin": "literal-assignment"}], [{"key": "k", "value": 6, "origin": "literal-assignment"}]]
    assert evaluated["data"]["text/plain"] == "<runtrail delta %d>" % second["seq"]
    # Another module registered as `runtrail` is asked through the expression itself.
    other = types.ModuleType("runtrail")
    other._delta = lambda request: "other helper: %s" % request
    monkeypatch.setitem(__import__("sys").modules, "runtrail", other)
    answer = shell.user_expressions({"runtrail": expression})["runtrail"]
    assert answer["status"] == "ok" and answer["data"]["text/plain"].startswith("'other helper: {")
