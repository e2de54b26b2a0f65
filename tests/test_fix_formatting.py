"""What a reviewer checks in a fix's output: inserted code lands in the cell that uses it, with PEP 8
blank lines, no trailing whitespace, no second `ray.put` of a value that already has a ref.

The golden files in tests/fix_fixtures/ hold each layout rule for plain files (RAY003/decorators: keyword
insertion; RAY102/spacing and RAY102/cells: hoisted definitions and `# %%` cells; RAY002/existing_ref:
an existing ref reused); this module adds the notebook and the checks that hold for every golden file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from raylint.engine import LintOptions
from raylint.fixing import FixPolicy
from raylint.sources.notebooks import fix_notebook
from tests.test_fixers import CASES, fix

NOTEBOOK = Path(__file__).parent / "notebooks" / "cells_inserted_code.ipynb"


def _cells(text: str):
    return ["".join(cell["source"]) for cell in json.loads(text)["cells"]]


def test_notebook_fixes_stay_in_the_cell_that_uses_them_and_reuse_an_existing_ref():
    before = _cells(NOTEBOOK.read_text(encoding="utf-8"))
    outcome = fix_notebook(NOTEBOOK.read_bytes(), str(NOTEBOOK), LintOptions(enabled=frozenset({"RAY002", "RAY102"})),
                           FixPolicy(unsafe=True))
    after = _cells(outcome.text)
    assert outcome.fixed == 3
    # cells 1-4 (imports, ray.init(), the array and its ref, the task) are untouched
    assert after[:4] == before[:4]
    # the ref made in cell 3 is passed; no second put
    assert after[4] == before[4].replace("total.remote(data, i)", "total.remote(data_ref, i)")
    assert "ray.put" not in after[4]
    # the hoisted definition opens the cell that uses it, two blank lines before the comment after it
    assert after[5] == (
        "@ray.remote(num_cpus=1)\n"
        "def scale(x):\n"
        "    return x * 2\n"
        "\n"
        "\n"
        "# one batch per step\n"
        "for step in range(3):\n"
        "    print(ray.get(scale.remote(step)))"
    )


@pytest.mark.parametrize("mode", ["safe", "unsafe"])
@pytest.mark.parametrize("code,path", CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixes_add_no_trailing_whitespace_and_no_glued_definitions(code, path, mode):
    source = path.read_text(encoding="utf-8")
    fixed = fix(code, source, path, mode).source
    old_lines = set(source.splitlines())
    for number, line in enumerate(fixed.splitlines(), 1):
        if line not in old_lines:
            assert line == line.rstrip(), f"line {number} ends in whitespace: {line!r}"
    lines = fixed.splitlines()
    for number, line in enumerate(lines):
        # a top-level definition the fix wrote is followed by two blank lines before the next top-level code
        if line.startswith(("def ", "class ", "@")) and line not in old_lines:
            end = number + 1
            while end < len(lines) and (not lines[end] or lines[end][0] in " \t" or lines[end].startswith(")")):
                end += 1
            if end < len(lines) and not lines[end].startswith(("def ", "class ", "@")):
                assert lines[end - 2:end] == ["", ""], f"no blank lines after the definition at line {number + 1}"


def test_a_new_put_in_a_notebook_goes_into_the_cell_of_its_first_use(tmp_path):
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    notebook["cells"][2]["source"] = ["data = np.zeros((512, 512))"]  # no ref of `data` exists
    path = tmp_path / "no_ref.ipynb"
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    before = _cells(path.read_text(encoding="utf-8"))
    outcome = fix_notebook(path.read_bytes(), str(path), LintOptions(enabled=frozenset({"RAY002"})),
                           FixPolicy(unsafe=False))
    after = _cells(outcome.text)
    assert outcome.fixed == 2
    assert after[:4] == before[:4] and after[5] == before[5]
    assert after[4] == "data_ref = ray.put(data)\n" + before[4].replace("(data, i)", "(data_ref, i)")


def test_a_generated_task_in_a_notebook_opens_the_cell_that_uses_it():
    path = NOTEBOOK.with_name("loader_cells.ipynb")
    before = _cells(path.read_text(encoding="utf-8"))
    outcome = fix_notebook(path.read_bytes(), str(path), LintOptions(enabled=frozenset({"RAY005"})),
                           FixPolicy(unsafe=False))
    after = _cells(outcome.text)
    assert outcome.fixed == 1
    assert after[:3] == before[:3]
    assert after[3] == (
        "@ray.remote(num_cpus=1)\n"
        "def pd_read_parquet_task(*args, **kwargs):\n"
        "    return pd.read_parquet(*args, **kwargs)\n"
        "\n"
        "\n"
        "# the events\n"
        'events_ref = pd_read_parquet_task.remote("s3://lake/events/")\n'
        "print(ray.get(summarize.remote(events_ref)))"
    )
