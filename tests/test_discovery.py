"""Which files raylint lints: recursion, exclude globs, .gitignore files and explicitly named paths."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, List

import pytest

from raylint.config import DEFAULT_EXCLUDE, Settings
from raylint.files.discovery import discover, discover_files


def tree(root: Path, files: Iterable[str]) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def settings(root: Path, **overrides) -> Settings:
    return Settings(root=root, cache_dir=root / ".raylint_cache", **overrides)


def found(paths: List[str], config: Settings, **kwargs) -> List[str]:
    files, problems = discover(paths, config, **kwargs)
    assert problems == []
    return [path.as_posix() for path in files]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_walks_python_sources_sorted_and_relative(tmp_path):
    tree(tmp_path, ["b.py", "a/z.pyi", "a/y.py", "a/notes.txt", "a/script", "c/d/e.py"])
    assert found([], settings(tmp_path)) == ["a/y.py", "a/z.pyi", "b.py", "c/d/e.py"]
    assert found(["."], settings(tmp_path)) == ["a/y.py", "a/z.pyi", "b.py", "c/d/e.py"]
    assert found([str(tmp_path / "a")], settings(tmp_path)) == [f"{tmp_path.as_posix()}/a/y.py", f"{tmp_path.as_posix()}/a/z.pyi"]


def test_overlapping_arguments_give_each_file_once(tmp_path):
    tree(tmp_path, ["a/x.py", "b.py"])
    assert found(["a", ".", "a/x.py"], settings(tmp_path)) == ["a/x.py", "b.py"]


def test_default_excludes_prune_tool_directories_but_not_site_packages(tmp_path):
    excluded = [f"{name}/m.py" for name in DEFAULT_EXCLUDE]
    tree(tmp_path, [*excluded, "pkg/build/gen.py", "lib/site-packages/dep/m.py", "src/m.py"])
    assert found(["."], settings(tmp_path)) == ["lib/site-packages/dep/m.py", "src/m.py"]


def test_exclude_replaces_the_defaults_and_matches_any_component(tmp_path):
    tree(tmp_path, ["venv/m.py", "generated/a.py", "pkg/generated/b.py", "pkg/api_pb2.py", "pkg/api.py"])
    config = settings(tmp_path, exclude=("generated",))
    assert found(["."], config) == ["pkg/api.py", "pkg/api_pb2.py", "venv/m.py"]


def test_extend_exclude_keeps_the_defaults(tmp_path):
    tree(tmp_path, ["venv/m.py", "pkg/api_pb2.py", "pkg/api.py", "src/legacy/old.py", "tests/src/legacy/t.py"])
    config = settings(tmp_path, extend_exclude=("*_pb2.py", "src/legacy/"))
    # "src/legacy/" has a slash, so like a gitignore line it is anchored at the project root
    assert found(["."], config) == ["pkg/api.py", "tests/src/legacy/t.py"]


def test_exclude_negation_reincludes_a_file(tmp_path):
    tree(tmp_path, ["gen/a_pb2.py", "gen/keep_pb2.py"])
    config = settings(tmp_path, exclude=("*_pb2.py", "!keep_pb2.py"))
    assert found(["."], config) == ["gen/keep_pb2.py"]


def test_root_and_nested_gitignore(tmp_path):
    tree(tmp_path, ["out/a.py", "src/scratch.py", "src/keep_scratch.py", "src/sub/tmp_x.py", "src/sub/real.py", "src/ok.py"])
    (tmp_path / ".gitignore").write_text("# build output\nout/\n*scratch.py\n")
    (tmp_path / "src" / ".gitignore").write_text("!keep_scratch.py\n")
    (tmp_path / "src" / "sub" / ".gitignore").write_text("tmp_*\n")
    assert found(["."], settings(tmp_path)) == ["src/keep_scratch.py", "src/ok.py", "src/sub/real.py"]
    everything = found(["."], settings(tmp_path, respect_gitignore=False))
    assert everything == ["out/a.py", "src/keep_scratch.py", "src/ok.py", "src/scratch.py", "src/sub/real.py", "src/sub/tmp_x.py"]


def test_gitignore_above_the_argument_applies(tmp_path):
    tree(tmp_path, ["pkg/gen/a.py", "pkg/b.py"])
    (tmp_path / ".gitignore").write_text("gen/\n")
    assert found(["pkg"], settings(tmp_path)) == ["pkg/b.py"]


def test_git_info_exclude(tmp_path):
    tree(tmp_path, ["local/a.py", "b.py"])
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local/\n")
    assert found(["."], settings(tmp_path)) == ["b.py"]


def test_a_nested_repository_does_not_inherit_the_outer_gitignore(tmp_path):
    tree(tmp_path, ["vendor/lib/gen/a.py", "gen/b.py"])
    (tmp_path / ".gitignore").write_text("gen/\n")
    (tmp_path / "vendor" / "lib" / ".git").mkdir()
    assert found(["."], settings(tmp_path)) == ["vendor/lib/gen/a.py"]


def test_explicit_files_bypass_exclusion_unless_forced(tmp_path):
    tree(tmp_path, ["build/gen.py", "ignored.py", "api_pb2.py", "tool"])
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    config = settings(tmp_path, extend_exclude=("*_pb2.py",))
    named = ["build/gen.py", "ignored.py", "api_pb2.py", "tool"]
    assert found(named, config) == ["api_pb2.py", "build/gen.py", "ignored.py", "tool"]
    assert found(named, config, force_exclude=True) == ["tool"]
    forced = settings(tmp_path, extend_exclude=("*_pb2.py",), force_exclude=True)
    assert found(named, forced) == ["tool"]


def test_explicit_excluded_directory_is_walked_unless_forced(tmp_path):
    tree(tmp_path, ["build/a.py", "build/lib/b.py", "build/node_modules/c.py"])
    assert found(["build"], settings(tmp_path)) == ["build/a.py", "build/lib/b.py"]
    assert found(["build"], settings(tmp_path), force_exclude=True) == []


def test_outside_the_root_only_names_below_the_argument_match(tmp_path):
    # the argument lives under a directory named venv, which must not exclude everything in it
    tree(tmp_path, ["venv/site-packages/pkg/a.py", "venv/site-packages/pkg/build/b.py", "venv/site-packages/pkg/c_pb2.py"])
    config = settings(tmp_path / "project", extend_exclude=("*_pb2.py", "pkg/a.py"))
    package = tmp_path / "venv" / "site-packages" / "pkg"
    # "pkg/a.py" is anchored at the project root, so it cannot match here
    assert found([str(package)], config) == [f"{package.as_posix()}/a.py"]
    # a forced explicit file outside the root is matched by its name alone
    explicit = [str(package / "build" / "b.py"), str(package / "c_pb2.py")]
    assert found(explicit, config, force_exclude=True) == [f"{package.as_posix()}/build/b.py"]


def test_a_missing_path_is_a_problem_and_the_other_paths_are_walked(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x = 1\n")
    files, problems = discover(["src", "path/does/not/exist"], settings(tmp_path))
    assert [path.as_posix() for path in files] == ["src/a.py"]
    assert problems == [(Path("path/does/not/exist"), "No such file or directory")]


def test_symlink_loops_are_walked_once(tmp_path):
    tree(tmp_path, ["pkg/a.py", "other/b.py"])
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "pkg" / "link").symlink_to(tmp_path / "other", target_is_directory=True)
    assert found(["pkg"], settings(tmp_path)) == ["pkg/a.py", "pkg/link/b.py"]


def test_unreadable_directories_are_reported(tmp_path, monkeypatch):
    tree(tmp_path, ["ok/a.py", "locked/b.py"])
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, problems = discover(["."], settings(tmp_path))
    assert files == [Path("ok/a.py")]
    assert problems == [(Path("locked"), "Permission denied")]


@pytest.mark.parametrize("display", ["a.py", "a/b/c.py", "/abs/x.py", "/", "../up/x.py", ".hidden/y.py", "a b/c.py"])
def test_files_are_ordered_by_the_parts_a_path_would_have(display):
    from raylint.files.discovery import _parts

    assert _parts(display) == Path(display).parts


def test_absolute_and_relative_arguments_list_like_paths(tmp_path):
    tree(tmp_path, ["x/a.py", ".h/b.py", "x/sub/c.py"])
    absolute = str(tmp_path / "x")
    files, problems = discover([absolute, ".h", "x/"], settings(tmp_path))
    assert problems == []
    expected = sorted([Path(".h/b.py"), Path(absolute, "a.py"), Path(absolute, "sub/c.py")], key=lambda p: p.parts)
    assert files == expected


def test_when_found_is_called_once_when_that_many_files_are_found(tmp_path):
    tree(tmp_path, [f"pkg/m{index:02d}.py" for index in range(10)])
    calls = []

    def when_found(count):
        return count, lambda: calls.append(count)

    files, _ = discover_files([str(tmp_path)], settings(tmp_path), when_found=when_found(4))
    assert len(files) == 10 and calls == [4]
    discover_files([str(tmp_path)], settings(tmp_path), when_found=when_found(11))
    assert calls == [4]  # 11 files never found: never called
    named = [str(tmp_path / "pkg" / f"m{index:02d}.py") for index in range(3)]
    discover_files(named, settings(tmp_path), when_found=when_found(3))
    assert calls == [4, 3]  # files named one by one count too
