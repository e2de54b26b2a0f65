"""The package layout shows the architecture: no import circle between raylint's modules, and fixers never
import rules (a rule finds and names its fixer; the fixer only rewrites)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

PACKAGE = Path(__file__).resolve().parent.parent / "raylint"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> Dict[str, Set[str]]:
    """Module -> the raylint modules it imports, at any depth of its code (lazy imports count too).
    `from pkg import submodule` is an edge to the submodule only."""
    sources = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: Dict[str, Set[str]] = {}
    for name, path in sources.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "raylint":
                submodules = {f"{node.module}.{alias.name}" for alias in node.names} & sources.keys()
                edges |= submodules if len(submodules) == len(node.names) else {node.module} | submodules
            elif isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names if alias.name in sources}
        graph[name] = {edge for edge in edges if edge in sources and edge != name}
    return graph


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_sees_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_fixers_never_import_rules():
    graph = import_graph()
    wrong = {(module, edge) for module, edges in graph.items() if module.startswith("raylint.fixers")
             for edge in edges if edge.startswith("raylint.rules")}
    assert wrong == set()


def test_the_top_level_holds_entry_points_and_orchestration_only():
    """The semantic model, suppression, files on disk and source formats live in their own packages."""
    top = {path.stem for path in PACKAGE.glob("*.py")}
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert {"semantics", "noqa", "files", "sources", "rules", "fixers", "reporters", "validate", "doctor",
            "configs"} <= packages
    moved = {"analysis", "ray_names", "loops", "estimate", "loaders", "cost", "context", "project_index",
             "actor_state", "suppression", "noqa_edit", "unused_noqa", "add_noqa", "noqa_warnings", "discovery",
             "cache", "writer", "notebooks"}
    assert not top & moved


def test_checking_does_not_import_libcst(tmp_path):
    """libcst costs more to import than the rest of raylint: `check` plans fixes without it, and only
    building a fix imports it (fixers reach it through raylint.fixers.lazy_cst)."""
    import subprocess
    import sys

    (tmp_path / "job.py").write_text(
        "import ray\n\n@ray.remote(num_cpus=1)\ndef f(x):\n    return x\n\nout = [ray.get(f.remote(i)) for i in range(3)]\n"
    )
    probe = (
        "import sys\nfrom raylint.cli import main\n"
        "try:\n    main(['check', 'job.py', '--no-cache', '--exit-zero', '--quiet'])\nexcept SystemExit:\n    pass\n"
        "print('libcst' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines()[-1] == "False", run.stdout + run.stderr
    assert "RAY001 [*]" in run.stdout  # the finding is there, with its fix planned
    edit = [sys.executable, "-m", "raylint", "fix", "job.py", "--no-cache"]
    assert "ray.get([" in subprocess.run(edit, cwd=tmp_path, capture_output=True, text=True, timeout=120).stdout
