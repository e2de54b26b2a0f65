"""The hooks in .pre-commit-hooks.yaml work under the real pre-commit, installed the way users install them.

pre-commit clones a hook repository at a commit and pip-installs it into its own virtualenv, so the test
commits a copy of this working tree (uncommitted edits included) into a throwaway git repository and
points a project's `.pre-commit-config.yaml` at it by path and sha.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None,
    reason="pre-commit is not installed (pip install -e '.[dev]')",
)

ROOT = Path(__file__).resolve().parent.parent
# What `pip install` of the hook repository needs, nothing more.
HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "raylint")

BAD = """\
import ray


@ray.remote
def square(x):
    return x * x


print(ray.get([square.remote(i) for i in range(4)]))
"""

CLEAN = BAD.replace("@ray.remote\n", "@ray.remote(num_cpus=1)\n")


def _git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=raylint-test", "-c", "user.email=test@example.invalid",
               "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory):
    """(path, sha) of a git repository holding this working tree, and a PRE_COMMIT_HOME shared by the tests."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hook source")
    return repo, _git(repo, "rev-parse", "HEAD"), tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def run_hook(hook_source, tmp_path):
    """Run one hook of the config on the given files in a fresh project repository; returns the process."""
    repo, sha, home = hook_source
    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(textwrap.dedent(f"""\
        repos:
          - repo: {repo.as_posix()}
            rev: {sha}
            hooks:
              - id: raylint
              - id: raylint-fix
    """), encoding="utf-8")
    _git(project, "init", "-q")
    _git(project, "add", ".pre-commit-config.yaml")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("RAYLINT_CACHE_DIR", None)

    def run(hook: str, files: dict) -> subprocess.CompletedProcess:
        for name, text in files.items():
            (project / name).write_text(text, encoding="utf-8")
        _git(project, "add", *files)
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", hook, "--files", *files],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )

    run.project = project
    return run


def test_check_hook_fails_on_an_anti_pattern(run_hook):
    result = run_hook("raylint", {"bad.py": BAD})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "RAY003" in result.stdout
    assert "Failed" in result.stdout


def test_check_hook_passes_on_clean_code(run_hook):
    result = run_hook("raylint", {"clean.py": CLEAN})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_fix_hook_rewrites_the_file(run_hook):
    result = run_hook("raylint-fix", {"bad.py": BAD})
    # pre-commit fails a hook that modified files, so the commit can be re-staged and retried.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert (run_hook.project / "bad.py").read_text(encoding="utf-8") == CLEAN


RAY_CLUSTER = """\
apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: demo
spec:
  headGroupSpec:
    rayStartParams:
      dashboard-host: "0.0.0.0"
  workerGroupSpecs:
    - groupName: workers
      replicas: 2
"""


def test_check_hook_checks_a_kuberay_manifest(run_hook):
    result = run_hook("raylint", {"cluster.yaml": RAY_CLUSTER})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cluster.yaml:7:5" in result.stdout and "RAY201" in result.stdout


def test_check_hook_passes_other_yaml_and_shell_files(run_hook):
    # pre-commit's yaml and shell types also send these; none is a Ray config, none is read as Python.
    files = {"deploy.yaml": "kind: Deployment\nspec: {replicas: 2}\n", ".clang-format": "BasedOnStyle: LLVM\n",
             "build.sh": "#!/bin/sh\nmake all\n", "cluster.yaml": RAY_CLUSTER.replace('dashboard-host: "0.0.0.0"',
                                                                                     'num-cpus: "0"')}
    result = run_hook("raylint", files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
