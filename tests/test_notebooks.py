"""Jupyter notebooks: code cells checked as one program, findings located by cell, fixes written into
the cells' sources with the rest of the notebook JSON left byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from raylint.sources import notebooks
from raylint.cli import main
from raylint.config import Settings
from raylint.files.discovery import discover
from raylint.ftypes import Diagnostic, Edit, Fix, Location

FIXTURES = Path(__file__).parent / "notebooks"
# The rules the fixtures exercise; other rules would make the expected findings depend on the rule set.
SELECT = ("--select", "RAY001,RAY003")


def invoke(*args):
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2 mixes stderr into stdout unless told
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, list(args), catch_exceptions=False)


def copy(project: Path, name: str) -> Path:
    return Path(shutil.copy(FIXTURES / name, project / name))


def findings(*args):
    result = invoke("check", "--no-cache", "--output-format", "json", *SELECT, *args)
    return result, json.loads(result.stdout)


def test_findings_are_located_by_cell_counting_every_cell(project):
    copy(project, "ray_tutorial.ipynb")
    result, found = findings("ray_tutorial.ipynb")
    assert result.exit_code == 1
    # `import ray` is in cell 1; cell 2 is markdown; the noqa'd loop of cell 4 is silenced; cell 6 is raw.
    assert [(d["cell"], d["location"]["row"], d["code"]) for d in found] == [
        (1, 4, "RAY003"),
        (3, 4, "RAY001"),
        (7, 2, "RAY001"),
    ]
    comprehension = found[1]
    assert comprehension["location"] == {"column": 10, "row": 4}
    assert comprehension["end_location"] == {"column": 33, "row": 4}
    assert comprehension["noqa_row"] == 4
    assert comprehension["fix"]["edits"][0]["location"]["row"] == 4


def test_text_formats_show_the_cell(project):
    copy(project, "ray_tutorial.ipynb")
    concise = invoke("check", "--no-cache", "--output-format", "concise", *SELECT, "ray_tutorial.ipynb").stdout
    assert "ray_tutorial.ipynb:cell 3:4:10: RAY001 [*] " in concise
    full = invoke("check", "--no-cache", *SELECT, "ray_tutorial.ipynb").stdout
    assert "--> ray_tutorial.ipynb:cell 3:4:10" in full
    # The excerpt is the cell's own source, magics included, not the notebook's JSON.
    assert "2 | %time paths = [str(i) for i in range(4)]" in full
    assert "4 | sizes = [ray.get(load.remote(p)) for p in paths]" in full
    github = invoke("check", "--no-cache", "--output-format", "github", *SELECT, "ray_tutorial.ipynb").stdout
    # Rows of a cell are not rows of the JSON file: line 1, as Ruff does, with the cell in the message.
    assert ",file=ray_tutorial.ipynb,line=1::ray_tutorial.ipynb:cell 3:4:10: RAY001 " in github


def test_noqa_inside_a_cell(project):
    path = copy(project, "ray_tutorial.ipynb")
    path.write_text(path.read_text().replace("  # noqa: RAY001", ""))
    _, found = findings("ray_tutorial.ipynb")
    assert (4, 4, "RAY001") in [(d["cell"], d["location"]["row"], d["code"]) for d in found]


def test_magics_and_shell_lines_are_not_errors(project):
    copy(project, "ray_tutorial.ipynb")
    result = invoke("check", "--no-cache", "--output-format", "concise", "ray_tutorial.ipynb")
    assert "invalid-syntax" not in result.stdout


def test_fix_rewrites_only_the_fixed_cells_source(project):
    path = copy(project, "ray_tutorial.ipynb")
    before = path.read_text()
    result = invoke("fix", "--no-cache", "--apply", "--select", "RAY001", "ray_tutorial.ipynb")
    assert result.exit_code == 1  # the loop of cell 7 has no fix and remains
    after = path.read_text()
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines()) if old != new]
    assert changed == [
        ('    "sizes = [ray.get(load.remote(p)) for p in paths]\\n",',
         '    "sizes = ray.get([load.remote(p) for p in paths])\\n",'),
    ]
    assert len(before.splitlines()) == len(after.splitlines()) and after.endswith("}\n")
    old, new = json.loads(before), json.loads(after)
    assert new["metadata"] == old["metadata"] and new["nbformat"] == 4
    for index, (old_cell, new_cell) in enumerate(zip(old["cells"], new["cells"])):
        if index != 2:
            assert new_cell == old_cell
    assert {k: v for k, v in new["cells"][2].items() if k != "source"} == {
        k: v for k, v in old["cells"][2].items() if k != "source"
    }
    assert isinstance(new["cells"][2]["source"], list)
    assert all(line.endswith("\n") for line in new["cells"][2]["source"][:-1])
    _assert_nbformat(after)


def test_fix_is_idempotent(project):
    path = copy(project, "ray_tutorial.ipynb")
    invoke("fix", "--no-cache", "--apply", *SELECT, "ray_tutorial.ipynb")
    once = path.read_bytes()
    result = invoke("fix", "--no-cache", "--apply", *SELECT, "ray_tutorial.ipynb")
    assert path.read_bytes() == once
    assert "Fixed 0 findings" in result.stderr


def test_fix_diff_shows_cell_sources(project):
    path = copy(project, "ray_tutorial.ipynb")
    before = path.read_bytes()
    result = invoke("fix", "--no-cache", *SELECT, "ray_tutorial.ipynb")
    assert result.exit_code == 1
    assert path.read_bytes() == before
    assert "--- ray_tutorial.ipynb:cell 3\n+++ ray_tutorial.ipynb:cell 3\n" in result.stdout
    assert "-sizes = [ray.get(load.remote(p)) for p in paths]\n" in result.stdout
    assert "+sizes = ray.get([load.remote(p) for p in paths])\n" in result.stdout
    assert "--- ray_tutorial.ipynb:cell 1\n" in result.stdout
    assert '"source"' not in result.stdout and '\\n"' not in result.stdout


def test_a_string_source_stays_a_string_and_cell_magics_stay(project):
    path = copy(project, "string_source.ipynb")
    before = json.loads(path.read_text())
    invoke("fix", "--no-cache", "--apply", *SELECT, "string_source.ipynb")
    after = json.loads(path.read_text())
    assert after["cells"][1]["source"] == (
        "%%time\nsizes = ray.get([load.remote(p) for p in range(3)])\nprint(sizes)"
    )
    assert after["cells"][1]["outputs"] == before["cells"][1]["outputs"]
    assert after["cells"][0] == before["cells"][0]
    _assert_nbformat(path.read_text())


def test_a_fix_spanning_cells_is_not_offered_nor_applied(project):
    path = copy(project, "cross_cell.ipynb")
    before = path.read_bytes()
    _, found = findings("--unsafe-fixes", "cross_cell.ipynb")
    assert [(d["cell"], d["location"]["row"], d["code"], d["fix"]) for d in found] == [(3, 1, "RAY001", None)]
    invoke("fix", "--no-cache", "--apply", "--unsafe-fixes", *SELECT, "cross_cell.ipynb")
    assert path.read_bytes() == before


def test_a_syntax_error_is_reported_in_its_cell(project, monkeypatch):
    # the notebook has no Ray calls, so the prefilter would leave its syntax error to Python and Ruff
    monkeypatch.setenv("RAYLINT_NO_PREFILTER", "1")
    copy(project, "syntax_error.ipynb")
    result = invoke("check", "--no-cache", "--output-format", "concise", "syntax_error.ipynb")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "syntax_error.ipynb:cell 3:2:5: invalid-syntax: SyntaxError: '(' was never closed"
    )


def test_invalid_json_is_one_io_error(project):
    copy(project, "invalid_json.ipynb")
    result = invoke("check", "--no-cache", "--output-format", "concise", "-q", "invalid_json.ipynb")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("invalid_json.ipynb:1:1: io-error: Failed to read ")
    assert "invalid notebook JSON" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    fixed = invoke("fix", "--no-cache", "--apply", "invalid_json.ipynb")
    assert "Traceback" not in fixed.stdout + fixed.stderr


def test_notebooks_are_discovered_and_excluded_like_python_files(project):
    (project / "work").mkdir()
    for name in ("a.ipynb", "b.py", "skip.ipynb", "notes.txt"):
        (project / "work" / name).write_text("{}")
    (project / ".gitignore").write_text("skip.ipynb\n")
    (project / ".git").mkdir()
    files, _ = discover(["."], Settings(root=project, cache_dir=project / ".raylint_cache"))
    assert [p.as_posix() for p in files] == ["work/a.ipynb", "work/b.py"]


def test_notebooks_are_cached_by_content(project, monkeypatch):
    copy(project, "ray_tutorial.ipynb")
    first = invoke("check", "--output-format", "json", *SELECT, "ray_tutorial.ipynb").stdout
    calls = []
    original = notebooks.lint_notebook  # read from the module when a notebook is linted
    monkeypatch.setattr(notebooks, "lint_notebook", lambda *args: calls.append(args) or original(*args))
    assert invoke("check", "--output-format", "json", *SELECT, "ray_tutorial.ipynb").stdout == first
    assert calls == []
    path = project / "ray_tutorial.ipynb"
    path.write_text(path.read_text().replace("range(4)", "range(5)"))
    invoke("check", "--output-format", "json", *SELECT, "ray_tutorial.ipynb")
    assert len(calls) == 1


@pytest.mark.parametrize(
    "line",
    ["%time x = 1", "!pip install ray", "?ray.get", "ray.get?", "ray.get??", "files = !ls", "out = %who_ls",
     "%%writefile x.py"],
)
def test_ipython_lines_become_placeholders_on_the_same_row(line):
    notebook = notebooks.parse_notebook(_notebook([["import ray\n", line + "\n", "x = 1"]]))
    rows = notebook.source.split("\n")
    assert rows[0] == "import ray" and rows[2] == "x = 1"
    assert rows[1].startswith(("pass  # raylint-magic", "# raylint-magic"))


def test_lines_inside_strings_and_brackets_are_not_magics():
    cell = ['text = """\n', "!not a shell line\n", '"""\n', "total = (1 +\n", "  %2)"]
    notebook = notebooks.parse_notebook(_notebook([cell]))
    assert notebook.source == "".join(cell) + "\n"


def test_other_cell_magics_hide_the_whole_cell():
    notebook = notebooks.parse_notebook(_notebook([["%%bash\n", "for f in *; do echo $f; done"]]))
    assert all("raylint-magic" in row for row in notebook.source.split("\n")[:2])


def test_edits_touching_a_magic_or_crossing_cells_are_refused():
    notebook = notebooks.parse_notebook(_notebook([["import ray\n", "%time x = 1"], ["y = 2"]]))

    def keeps(start, end, content="z"):
        edit = Edit(content, Location(*start), Location(*end))
        diagnostic = Diagnostic("RAY001", "n", "m", "f", Location(*start), Location(*end), start[0],
                                fix=Fix("safe", None, (edit,)))
        return notebook.keeps_fix(notebook.source, diagnostic)

    assert keeps((1, 1), (1, 7))
    assert not keeps((2, 1), (2, 3))  # the %time line
    assert not keeps((1, 1), (4, 1))  # from cell 1 into cell 2
    assert keeps((4, 1), (4, 1), "import os\n")  # lines inserted at the top of cell 2
    assert not keeps((1, 1), (1, 1), "# raylint-cell 9\n")


def test_compact_json_and_escaped_unicode_keep_their_style():
    text = json.dumps(json.loads(_notebook([["import ray\n", "s = 'é'"]])))  # one line, \u escapes
    notebook = notebooks.parse_notebook(text.encode())
    out, changes = notebook.rebuild({1: "import ray\ns = 'è'"})
    assert [c.number for c in changes] == [1]
    assert out == text.replace("\\u00e9", "\\u00e8")


def _notebook(sources) -> bytes:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
             for source in sources]
    return (json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n").encode()


def _assert_nbformat(text: str) -> None:
    """The fields nbformat 4 requires of a notebook and its cells; nbformat's own validator when installed."""
    data = json.loads(text)
    assert data["nbformat"] == 4 and isinstance(data["metadata"], dict)
    for cell in data["cells"]:
        assert cell["cell_type"] in ("code", "markdown", "raw")
        assert isinstance(cell["source"], (str, list)) and isinstance(cell["metadata"], dict)
        if cell["cell_type"] == "code":
            assert isinstance(cell["outputs"], list) and "execution_count" in cell
    try:
        import nbformat
    except ImportError:
        return
    nbformat.validate(nbformat.reads(text, as_version=4))


def test_a_broken_cell_hides_only_itself(project):
    # as in Ruff: each cell that does not parse is one `invalid-syntax`, the other cells are still linted
    copy(project, "broken_cell.ipynb")
    result = invoke("check", "--no-cache", "--output-format", "concise", "-q", "broken_cell.ipynb")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [(line.split(": ")[0], line.split(": ")[1].split()[0]) for line in lines] == [
        ("broken_cell.ipynb:cell 1:3:2", "RAY003"),
        ("broken_cell.ipynb:cell 2:1:6", "invalid-syntax"),
        ("broken_cell.ipynb:cell 3:1:12", "RAY001"),
        ("broken_cell.ipynb:cell 4:1:18", "invalid-syntax"),
    ]
