"""Fingerprints: full content, equal for equal data in any process, different after any single change."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtrail_kernel as rk

HERE = os.path.dirname(os.path.abspath(__file__))

# Objects built the same way in this process and in subprocesses (deterministic data, every column form).
FIXTURE_OBJECTS = textwrap.dedent(
    """
    import datetime, decimal
    import numpy as np, pandas as pd, polars as pl, pyarrow as pa
    rng = np.random.default_rng(3)
    n = 500
    objects = {
        "numeric": pd.DataFrame({"f": rng.random(n), "i": rng.integers(0, 100, n), "b": rng.random(n) > 0.5}),
        "from_2d": pd.DataFrame(rng.random((n, 4)), columns=list("abcd")),
        "strings": pd.DataFrame({"s": pd.Series(["x%d" % (i % 17) if i % 11 else None for i in range(n)], dtype=object),
                                 "t": pd.Series(["é%d" % i for i in range(n)], dtype="str")}),
        "nullable": pd.DataFrame({"n": pd.array([i if i % 7 else None for i in range(n)], dtype="Int64"),
                                  "c": pd.Categorical(["lo", "hi", None, "mid"] * (n // 4)),
                                  "d": pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Paris")}),
        "objects": pd.DataFrame({"o": [{"k": i, "s": {"b", "a"}} if i % 2 else (i, [1.5, None]) for i in range(n)],
                                 "m": [decimal.Decimal(i) / 3 if i % 3 else datetime.date(2020, 1, 1 + i % 28) for i in range(n)]}),
        "indexed": pd.DataFrame({"v": np.arange(n)}, index=pd.Index(["r%d" % i for i in range(n)], name="row")),
        "series": pd.Series(rng.random(n), name="price"),
        "array": rng.random((50, 7)),
        "fortran": np.asfortranarray(rng.random((50, 7))),
        "objarray": np.array(["a", None, 3, 4.5, ("t",)], dtype=object),
        "polars": pl.DataFrame({"a": list(range(n)), "s": ["v%d" % (i % 5) if i % 4 else None for i in range(n)]}),
        "arrow": pa.table({"a": pa.array([i if i % 3 else None for i in range(n)]), "s": ["q%d" % i for i in range(n)],
                           "d": pa.array(["k%d" % (i % 3) for i in range(n)]).dictionary_encode()}),
    }
    """
)


def _in_process_fingerprints():
    scope = {}
    exec(FIXTURE_OBJECTS, scope)
    return {name: rk.fingerprint(obj) for name, obj in scope["objects"].items()}


def _subprocess_fingerprints(hash_seed, extra_env=None, block=None):
    script = "\n".join(
        [
            "import json, sys",
            *("sys.modules[%r] = None" % name for name in (block or [])),
            "import runtrail_kernel as rk",
            FIXTURE_OBJECTS,
            "print(json.dumps({k: rk.fingerprint(v) for k, v in objects.items()}))",
        ]
    )
    env = dict(os.environ, PYTHONHASHSEED=str(hash_seed), PYTHONPATH=HERE, **(extra_env or {}))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_fingerprints_are_equal_across_processes_and_hash_seeds():
    here = _in_process_fingerprints()
    assert all(fp.startswith("xxh128:") and len(fp) == 39 for fp in here.values())
    assert len(set(here.values())) == len(here)
    assert _subprocess_fingerprints(1) == here
    assert _subprocess_fingerprints(4242) == here


def test_blake2b_is_used_without_xxhash_and_is_stable_too():
    first = _subprocess_fingerprints(1, block=["xxhash"])
    second = _subprocess_fingerprints(99, block=["xxhash"])
    assert first == second
    assert all(fp.startswith("b2b128:") for fp in first.values())


def test_equal_data_in_different_memory_layouts_gives_equal_fingerprints():
    values = np.random.default_rng(1).random((1000, 6))
    from_2d = pd.DataFrame(values, columns=list("abcdef"))
    copied = from_2d.copy()
    from_columns = pd.DataFrame({c: values[:, i].copy() for i, c in enumerate("abcdef")})
    unconsolidated = pd.DataFrame({"a": values[:, 0]})
    for i, c in enumerate("bcdef", start=1):
        unconsolidated[c] = values[:, i]
    fingerprints = {rk.fingerprint(df) for df in (from_2d, copied, from_columns, unconsolidated)}
    assert len(fingerprints) == 1
    assert rk.fingerprint(values) == rk.fingerprint(np.asfortranarray(values)) == rk.fingerprint(values.copy())
    assert rk.fingerprint(values[::2]) == rk.fingerprint(np.ascontiguousarray(values[::2]))


def test_arrow_chunking_and_slicing_do_not_change_the_fingerprint():
    table = pa.table({"a": [1, None, 3, 4], "s": ["w", None, "yy", ""], "f": [0.5, 1.5, None, 2.0]})
    rechunked = pa.concat_tables([table.slice(0, 1), table.slice(1, 2), table.slice(3, 1)])
    assert rechunked.column("a").num_chunks == 3
    assert rk.fingerprint(table) == rk.fingerprint(rechunked)
    assert rk.fingerprint(table) == rk.fingerprint(table.combine_chunks())
    frame = pl.DataFrame({"a": [1, None, 3], "s": ["x", None, "z"]})
    stacked = pl.concat([frame.slice(0, 1), frame.slice(1, 2)], rechunk=False)
    assert rk.fingerprint(frame) == rk.fingerprint(stacked)


def test_dtype_column_order_names_and_index_matter():
    base = pd.DataFrame({"a": [1, 2, 3], "b": [4.0, 5.0, 6.0]})
    variants = [
        base.astype({"a": "int32"}),
        base.astype({"a": "float64"}),
        base.astype({"a": "Int64"}),
        base[["b", "a"]],
        base.rename(columns={"a": "A"}),
        base.set_axis([1, 2, 3]),
        base.iloc[:2],
        pd.DataFrame({0: [1, 2, 3], "b": [4.0, 5.0, 6.0]}).rename(columns={0: "a"}).set_axis(["a", "b"], axis=1)
        .astype({"a": "uint64"}),
    ]
    fingerprints = [rk.fingerprint(base)] + [rk.fingerprint(v) for v in variants]
    assert len(set(fingerprints)) == len(fingerprints)
    # Integer vs string column labels are different data.
    assert rk.fingerprint(pd.DataFrame({0: [1]})) != rk.fingerprint(pd.DataFrame({"0": [1]}))
    assert rk.fingerprint(np.arange(6).reshape(2, 3)) != rk.fingerprint(np.arange(6).reshape(3, 2))
    assert rk.fingerprint(np.arange(6, dtype="<i8")) != rk.fingerprint(np.arange(6, dtype="<i4"))
    assert rk.fingerprint(pd.Series([1, 2], name="x")) != rk.fingerprint(pd.Series([1, 2], name="y"))


def test_nulls_affect_the_fingerprint():
    pairs = [
        (pd.DataFrame({"a": [1.0, np.nan]}), pd.DataFrame({"a": [1.0, 0.0]})),
        (pd.DataFrame({"a": pd.array([1, None], dtype="Int64")}), pd.DataFrame({"a": pd.array([1, 0], dtype="Int64")})),
        (pd.DataFrame({"a": pd.Series(["x", None], dtype=object)}), pd.DataFrame({"a": pd.Series(["x", "None"], dtype=object)})),
        (pd.DataFrame({"a": pd.Series(["x", None], dtype=object)}), pd.DataFrame({"a": pd.Series(["x", ""], dtype=object)})),
        (pd.DataFrame({"a": pd.Series(["x", None], dtype="str")}), pd.DataFrame({"a": pd.Series(["x", ""], dtype="str")})),
        (pa.table({"a": [1, None]}), pa.table({"a": [1, 0]})),
        (pa.table({"s": ["x", None]}), pa.table({"s": ["x", ""]})),
        (pl.DataFrame({"a": [1, None]}), pl.DataFrame({"a": [1, 0]})),
        (np.array([1.0, np.nan]), np.array([1.0, 0.0])),
    ]
    for with_null, without in pairs:
        assert rk.fingerprint(with_null) != rk.fingerprint(without), (with_null, without)


def test_null_slot_contents_do_not_matter():
    # The same logical Int64 column, with different garbage in the data slot under the mask.
    first = pd.arrays.IntegerArray(np.array([1, 5], dtype="int64"), np.array([False, True]))
    second = pd.arrays.IntegerArray(np.array([1, 9], dtype="int64"), np.array([False, True]))
    assert rk.fingerprint(pd.Series(first)) == rk.fingerprint(pd.Series(second))


def test_sampled_above_the_cap_and_full_below():
    frame = pd.DataFrame({"a": np.arange(200_000, dtype=np.float64), "b": np.arange(200_000)})
    full = rk._fingerprint(frame, "pandas", 1 << 30)
    sampled = rk._fingerprint(frame, "pandas", 100_000)
    assert not full["sampled"] and sampled["sampled"]
    assert full["fingerprint"] != sampled["fingerprint"]
    assert rk._fingerprint(frame.copy(), "pandas", 100_000)["fingerprint"] == sampled["fingerprint"]
    array = np.zeros((100_000, 4))
    assert rk._fingerprint(array, "numpy", 10_000)["sampled"]
    assert rk._fingerprint(pa.table(frame), "arrow", 10_000)["sampled"]
    assert rk._fingerprint(pl.from_pandas(frame), "polars", 10_000)["sampled"]
    assert not rk._fingerprint(np.zeros(3), "numpy", 10)["sampled"]  # a few rows are always hashed in full


def test_sampled_fingerprint_sees_a_change_inside_the_sample():
    frame = pd.DataFrame({"a": np.arange(1_000_000, dtype=np.float64)})
    before = rk._fingerprint(frame, "pandas", 1_000_000)
    changed = frame.copy()
    changed.iloc[0, 0] = -1.0  # the first row range is always in the sample
    assert rk._fingerprint(changed, "pandas", 1_000_000)["fingerprint"] != before["fingerprint"]


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
texts = st.text(max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=st.integers(1, 4),
    rows=st.integers(1, 30),
    data=st.data(),
)
def test_any_single_value_change_changes_the_fingerprint(columns, rows, data):
    kinds = data.draw(st.lists(st.sampled_from(["float", "int", "str", "Int64", "bool"]), min_size=columns, max_size=columns))
    frame = {}
    for i, kind in enumerate(kinds):
        if kind == "float":
            frame["c%d" % i] = data.draw(st.lists(finite, min_size=rows, max_size=rows))
        elif kind == "int":
            frame["c%d" % i] = data.draw(st.lists(st.integers(-(2**62), 2**62), min_size=rows, max_size=rows))
        elif kind == "str":
            frame["c%d" % i] = pd.Series(data.draw(st.lists(st.one_of(st.none(), texts), min_size=rows, max_size=rows)), dtype=object)
        elif kind == "Int64":
            frame["c%d" % i] = pd.array(data.draw(st.lists(st.one_of(st.none(), st.integers(-1000, 1000)), min_size=rows, max_size=rows)), dtype="Int64")
        else:
            frame["c%d" % i] = data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
    original = pd.DataFrame(frame)
    column = data.draw(st.integers(0, columns - 1))
    row = data.draw(st.integers(0, rows - 1))
    kind = kinds[column]
    old = original.iat[row, column]
    if kind == "float":
        new = data.draw(finite.filter(lambda v: np.float64(v).tobytes() != np.float64(old).tobytes()))
    elif kind == "int":
        new = data.draw(st.integers(-(2**62), 2**62).filter(lambda v: v != old))
    elif kind == "str":
        new = data.draw(st.one_of(st.none(), texts).filter(lambda v: not (v == old or (v is None and old is None))))
    elif kind == "Int64":
        new = data.draw(st.one_of(st.none(), st.integers(-1000, 1000)).filter(
            lambda v: not ((v is None and pd.isna(old)) or (v is not None and not pd.isna(old) and v == old))))
    else:
        new = not old
    changed = original.copy()
    changed.iat[row, column] = new if new is not None else (None if kind == "str" else pd.NA)
    assert rk.fingerprint(changed) != rk.fingerprint(original)
    assert rk.fingerprint(original.copy()) == rk.fingerprint(original)


@settings(max_examples=60, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 20), st.integers(1, 5)),
    dtype=st.sampled_from(["<f8", "<f4", "<i8", "<i2", "|u1", "|b1"]),
    data=st.data(),
)
def test_any_single_array_change_changes_the_fingerprint(shape, dtype, data):
    size = shape[0] * shape[1]
    raw = data.draw(st.binary(min_size=size * np.dtype(dtype).itemsize, max_size=size * np.dtype(dtype).itemsize))
    array = np.frombuffer(raw, dtype=np.uint8).copy()
    if dtype == "|b1":
        array = array % 2
    array = array.view(dtype).reshape(shape)
    index = data.draw(st.integers(0, size - 1))
    changed = array.copy()
    flat = changed.reshape(-1).view(np.uint8)
    width = np.dtype(dtype).itemsize
    flat[index * width] = (int(flat[index * width]) + 1) % (2 if dtype == "|b1" else 256)
    assert rk.fingerprint(changed) != rk.fingerprint(array)
    assert rk.fingerprint(np.asfortranarray(array)) == rk.fingerprint(array)


def test_objects_that_cannot_be_hashed_the_usual_way():
    class Opaque:
        __slots__ = ("v",)

        def __init__(self, v):
            self.v = v

        def __reduce__(self):
            raise TypeError("not picklable")

        def __repr__(self):
            return "Opaque(%d)" % self.v

    frame = pd.DataFrame({"lists": [[1, 2], [3]], "dicts": [{"a": [1]}, {}], "sets": [{1, 2}, set()],
                          "opaque": [Opaque(1), Opaque(2)]})
    info = rk._fingerprint(frame, "pandas", 1 << 30)
    assert info["fingerprint"].startswith("xxh128:")
    assert any("opaque" in w and "repr" in w for w in info["warnings"])
    changed = frame.copy()
    changed.at[1, "lists"] = [4]
    assert rk.fingerprint(changed) != info["fingerprint"]
    stats = rk._column_stats(frame, "pandas", info, [], "frame")
    assert [s["column"] for s in stats] == ["lists", "dicts", "sets", "opaque"]
    assert stats[0]["distinct"] is None  # lists are unhashable: no distinct count, no error


def test_set_order_does_not_depend_on_the_hash_seed():
    script = "import runtrail_kernel as rk, pandas as pd; print(rk.fingerprint(pd.DataFrame({'s': [{'alpha', 'beta', 'gamma', 'delta'}]})))"
    results = set()
    for seed in (1, 2, 3):
        env = dict(os.environ, PYTHONHASHSEED=str(seed), PYTHONPATH=HERE)
        results.add(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout)
    assert len(results) == 1


@pytest.mark.parametrize("build", [
    lambda: pd.DataFrame({"a": np.arange(10.0), "b": list("abcdefghij")}),
    lambda: pl.DataFrame({"a": np.arange(10.0), "b": list("abcdefghij")}),
    lambda: pa.table({"a": np.arange(10.0), "b": list("abcdefghij")}),
    lambda: np.arange(10.0),
])
def test_column_statistics(build):
    obj = build()
    kind = rk._data_kind(obj)
    info = rk._fingerprint(obj, kind, 1 << 30)
    stats = rk._column_stats(obj, kind, info, [], "x")
    first = stats[0]
    assert first["count"] == 10 and first["nulls"] == 0
    assert first["min"] == 0.0 and first["max"] == 9.0 and first["mean"] == 4.5
    assert abs(first["std"] - np.std(np.arange(10.0), ddof=1)) < 1e-9
    assert first["distinct"] == 10
    if len(stats) > 1:
        assert stats[1]["distinct"] == 10 and stats[1]["count"] == 10


def test_statistics_with_nulls_and_large_columns():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "n": pd.array([1, None, 1], dtype="Int64"),
                          "t": pd.to_datetime(["2024-01-01", None, "2024-03-01"])})
    stats = {s["column"]: s for s in rk._column_stats(frame, "pandas", rk._fingerprint(frame, "pandas", 1 << 30), [], "f")}
    assert stats["a"]["nulls"] == 1 and stats["a"]["count"] == 2 and stats["a"]["mean"] == 2.0
    assert stats["n"]["nulls"] == 1 and stats["n"]["distinct"] == 1
    assert stats["t"]["nulls"] == 1 and stats["t"]["min"].startswith("2024-01-01")
    unique = pd.DataFrame({"u": np.arange(2_000_000), "r": np.arange(2_000_000) % 10})
    big = {s["column"]: s for s in rk._column_stats(unique, "pandas", rk._fingerprint(unique, "pandas", 1 << 30), [], "u")}
    assert 0.9 * 2_000_000 <= big["u"]["distinct"] <= 2_000_000
    assert big["r"]["distinct"] == 10
