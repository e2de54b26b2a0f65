"""What the README and the GitHub action tell users must work as written: the config examples load, the
install instructions name things that exist, the rule count is the registry's, and no link points at a
site that is not hosted."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from raylint import __version__
from raylint.config import ConfigError, load_settings
from raylint.registry import all_rules

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = re.search(r"^#{1,3} ", text[start + len(heading):], flags=re.M)
    return text[start: start + len(heading) + following.start()] if following else text[start:]


def _blocks(text: str, language: str):
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.M | re.S)


# -- configuration -----------------------------------------------------------------------------------


@pytest.mark.parametrize("page, heading", [("README.md", "### Configuration"),
                                           ("docs/getting-started.md", "## Configure")])
def test_the_configuration_examples_load_as_written(tmp_path, page, heading):
    text = (ROOT / page).read_text(encoding="utf-8")
    pyproject_example, raylint_toml_example = _blocks(_section(text, heading), "toml")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "pyproject.toml").write_text(pyproject_example)
    (tmp_path / "b" / "raylint.toml").write_text(raylint_toml_example)
    from_pyproject = load_settings(start=tmp_path / "a")
    from_raylint_toml = load_settings(start=tmp_path / "b")
    assert from_pyproject.config_path == tmp_path / "a" / "pyproject.toml"
    assert from_raylint_toml.config_path == tmp_path / "b" / "raylint.toml"
    assert from_pyproject.ignore == ("RAY003",) and from_pyproject.per_file_ignores
    # the two spellings say the same thing
    for name in ("select", "ignore", "extend_exclude", "per_file_ignores", "rule_options"):
        assert getattr(from_pyproject, name) == getattr(from_raylint_toml, name), name


def test_a_tool_raylint_table_in_raylint_toml_is_rejected_as_the_readme_says(tmp_path):
    pyproject_example = _blocks(_section(README, "### Configuration"), "toml")[0]
    (tmp_path / "raylint.toml").write_text(pyproject_example)
    with pytest.raises(ConfigError):
        load_settings(start=tmp_path)


# -- what the install instructions name ------------------------------------------------------------------

PLACEHOLDER = re.compile(r"<[a-z-]+>")
COMMIT = re.compile(r"[0-9a-f]{40}")


@pytest.mark.parametrize("page", DOCS, ids=lambda page: page.name)
def test_examples_pin_no_tag_that_does_not_exist(page):
    """raylint has no release tags: a `rev:` or `uses: ...raylint@` is a placeholder or a commit."""
    text = page.read_text(encoding="utf-8")
    pins = re.findall(r"^\s*rev:\s*(\S+)", text, flags=re.M) + re.findall(r"uses:\s*\S*raylint@(\S+)", text)
    for pin in pins:
        assert PLACEHOLDER.fullmatch(pin) or COMMIT.fullmatch(pin), (page.name, pin)
    tags = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [pin for pin in pins if pin.startswith("v") and pin not in tags]
    if pins:
        assert "<commit>" in README and "no release tags" in README


@pytest.fixture(scope="module")
def action():
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def _run_install_step(action, tmp_path, version: str):
    """The action's install script under bash, with a `python` that records its arguments."""
    install = action["runs"]["steps"][0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "argv"
    fake = bin_dir / "python"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    # what GitHub substitutes: github.action_path is the action's own checkout, i.e. this repository
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert install["env"]["RAYLINT_VERSION"] == "${{ inputs.version }}"
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", ACTION_PATH=str(ROOT),
               RAYLINT_VERSION=version)
    subprocess.run(["bash", "-e", "-c", install["run"]], env=env, check=True, timeout=30)
    return record.read_text().splitlines()


def test_the_action_installs_the_raylint_it_ships_with_by_default(action, tmp_path):
    assert action["inputs"]["version"]["default"] == "" and not action["inputs"]["version"].get("required")
    argv = _run_install_step(action, tmp_path, version="")
    assert argv[:2] == ["-m", "pip"] and "install" in argv
    target = Path(argv[-1])
    assert target == ROOT
    project = tomllib.loads((target / "pyproject.toml").read_text())["project"]
    assert project["name"] == "raylint" and project["version"] == __version__


def test_the_action_installs_a_named_version_only_when_asked(action, tmp_path):
    assert _run_install_step(action, tmp_path, version="1.2.3")[-1] == "raylint==1.2.3"


def test_the_action_keeps_its_cache_out_of_the_workspace(action):
    for step in action["runs"]["steps"]:
        if "raylint check" in step["run"]:
            assert step["env"]["RAYLINT_CACHE_DIR"].startswith("${{ runner.temp }}/"), step["name"]


# -- the rule count, and links ------------------------------------------------------------------------------


def test_the_readme_rule_count_and_table_are_the_registrys():
    counts = [int(n) for n in re.findall(r"\b(\d+) rules\b", README)]
    assert counts and set(counts) == {len(all_rules())}
    table_codes = re.findall(r"^\| \[(RAY\d+)\]\(docs/rules/\1\.md\) \|", README, flags=re.M)
    assert table_codes == list(all_rules())


def test_docs_links_point_at_files_in_the_repository_not_an_unhosted_site():
    hosted_elsewhere = re.compile(r"https?://[^\s)\"']*raylint[^\s)\"']*\.(io|org|dev|com)\b")
    sources = [*DOCS, *(ROOT / "raylint").rglob("*.py"), ROOT / "mkdocs.yml", ROOT / "pyproject.toml"]
    for path in sources:
        assert not hosted_elsewhere.search(path.read_text(encoding="utf-8")), path
    for info in all_rules().values():
        assert (ROOT / info.url).is_file(), info.url
    for page in DOCS:
        for target in re.findall(r"\]\(((?!https?://|#|mailto:)[^)\s#]+)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), (page.name, target)
