"""Environment capture: Python, OS, packages, git commit / branch / dirty diff; never environment values."""
import json
import os
import subprocess

import pytest

import runtrail_kernel as rk


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull)
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "experiments")
    (tmp_path / "train.py").write_text("lr = 0.1\n")
    (tmp_path / "untracked.txt").write_text("not part of the diff\n")
    git(tmp_path, "add", "train.py")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_environment_in_a_dirty_repository(nb, repo, monkeypatch):
    monkeypatch.setenv("RUNTRAIL_TEST_SECRET", "s3cr3t-value-never-recorded")
    (repo / "train.py").write_text("lr = 0.2\n")
    head = git(repo, "rev-parse", "HEAD").strip()
    delta = nb.delta(environment=True, notebook_dir=str(repo))
    env = delta["environment"]
    assert env["python"].split()[-1] == ".".join(map(str, __import__("sys").version_info[:3]))
    assert env["os"]
    assert env["packages"]["numpy"] == __import__("numpy").__version__
    assert env["packages"]["pandas"] == __import__("pandas").__version__
    assert env["git"]["commit"] == head and env["git"]["branch"] == "experiments" and env["git"]["dirty"] is True
    assert "-lr = 0.1" in env["git"]["diff"] and "+lr = 0.2" in env["git"]["diff"]
    assert "untracked" not in env["git"]["diff"]
    assert "s3cr3t-value-never-recorded" not in json.dumps(delta)
    assert nb.delta()["environment"] is None  # only when asked


def test_clean_repository_and_no_repository(repo, tmp_path_factory):
    clean = rk._environment(str(repo))["git"]
    assert clean["dirty"] is False and "diff" not in clean
    outside = tmp_path_factory.mktemp("plain")
    assert "git" not in rk._environment(str(outside))


def test_the_diff_is_capped_at_one_megabyte(repo):
    (repo / "train.py").write_text("x = 1\n" * 400_000)
    state = rk._environment(str(repo))["git"]
    assert state["dirty"] and len(state["diff"]) <= 1_000_000 and state["diff"].endswith("truncated at 1 MB]\n")


def test_packages_are_read_quickly():
    import time
    started = time.perf_counter()
    packages = rk._installed_packages()
    assert "pytest" in packages and time.perf_counter() - started < 2.0
