"""Nothing that looks like a secret leaves the kernel: the helper applies the frontend's redaction rules (one shared
corpus, core/capture/redaction-corpus.json, is checked against both) to params, tags, statistics and the git diff."""
import json
import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "..", "core", "capture", "redaction-corpus.json"), encoding="utf-8") as handle:
    CORPUS = json.load(handle)


@pytest.fixture(scope="module")
def rk():
    import runtrail_kernel

    return runtrail_kernel


@pytest.mark.parametrize("name", CORPUS["secretNames"])
def test_secret_names(rk, name):
    assert rk._is_secret_name(name)


@pytest.mark.parametrize("name", CORPUS["nonSecretNames"])
def test_names_that_are_not_secrets(rk, name):
    assert not rk._is_secret_name(name)


@pytest.mark.parametrize("value", CORPUS["secretValues"])
def test_secret_values_are_redacted(rk, value):
    assert rk._redact_text(value) != value
    assert rk.REDACTED in rk._redact_text(value)


@pytest.mark.parametrize("value", CORPUS["nonSecretValues"])
def test_ordinary_values_are_kept(rk, value):
    assert rk._redact_text(value) == value


@pytest.mark.parametrize("text,expected", CORPUS["texts"])
def test_texts_keep_everything_but_the_secret(rk, text, expected):
    assert rk._redact_text(text) == expected


def test_long_texts_are_redacted_in_linear_time(rk):
    import time

    for text in ("Ab1+" * 50_000, "x-api-key" * 20_000 + ":", "eyJ-" * 25_000 + "sk-" * 30_000, 'k="v ' * 40_000):
        started = time.perf_counter()
        rk._redact_text(text)
        assert time.perf_counter() - started < 2.0


def test_params_tags_and_explicit_params_leave_the_kernel_redacted(nb):
    token = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz01234567"
    nb.run("import runtrail\n"
           "api_key = 'plain-looking-value'\n"
           "db_url = 'postgres://alice:s3cr3t@db:5432/x'\n"
           "config = {'lr': 0.1, 'password': 'hunter2', 'note': 'uses " + token + "'}\n"
           "pad_token = '<pad>'\n"
           "runtrail.log_param('openai_api_key', 'abc')\n"
           "runtrail.set_tag('source', 'https://bob:pw123@example.com/data')")
    delta = nb.delta()
    params = {p["key"]: p["value"] for c in delta["cells"] for p in c["params"]}
    assert params["api_key"] == "[redacted]"
    assert params["db_url"] == "postgres://alice:[redacted]@db:5432/x"
    assert params["config"] == {"lr": 0.1, "password": "[redacted]", "note": "uses [redacted]"}
    assert params["pad_token"] == "<pad>"
    assert delta["explicitParams"] == [{"key": "openai_api_key", "value": "[redacted]", "origin": "explicit"}]
    assert delta["tags"] == [{"key": "source", "value": "https://bob:[redacted]@example.com/data"}]
    assert token not in json.dumps(delta) and "hunter2" not in json.dumps(delta) and "s3cr3t" not in json.dumps(delta)


def test_string_statistics_never_carry_a_secret(nb):
    key = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    nb.run("import pandas as pd\nkeys = pd.DataFrame({'k': ['" + key + "', 'a']})")
    delta = nb.delta()
    assert key not in json.dumps(delta)


def test_the_git_diff_in_the_environment_is_redacted(nb, tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "settings.py").write_text("DB_PASSWORD = 'old'\n")
    git("add", "settings.py")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init")
    (tmp_path / "settings.py").write_text("DB_PASSWORD = 'hunter2'\nURL = 'redis://:p4ss@cache:6379/0'\n")
    nb.run("x = 1")
    env = nb.delta(environment=True)["environment"]
    diff = env["git"]["diff"]
    assert "+DB_PASSWORD = '[redacted]'" in diff and "redis://:[redacted]@cache" in diff
    assert "hunter2" not in diff and "p4ss" not in diff
