"""Ray cluster configuration files (KubeRay manifests, cluster launcher YAML, shell scripts): which files
they are, and linting them for RAY201. The engine hands every YAML and shell file to `check_config`."""

from __future__ import annotations

import os
import re
from typing import List, Optional, Tuple

from raylint.ftypes import Diagnostic, Location
from raylint.registry import SYNTAX_ERROR, level_of, pseudo_finding, rule_info
from raylint.noqa.directives import Suppressions, build_suppressions

YAML, SHELL = "yaml", "shell"
YAML_SUFFIXES = (".yaml", ".yml")
SHELL_SUFFIXES = (".sh", ".bash")
CODE = "RAY201"

# What a Ray cluster config contains; directory walks check only files that match, so other YAML and
# scripts cost one read. A `ray start` split by a backslash still matches on `ray start`.
_MARKERS = re.compile(rb"rayStartParams|headGroupSpec|head_start_ray_commands|\bray[ \t]+start\b")
_SHELL_SHEBANG = re.compile(r"#![ \t]*(?:\S*/)?(?:env[ \t]+)?(?:ba|z|k|da)?sh\b")
# Go/Helm/Jinja templates are not YAML until rendered.
_TEMPLATE = re.compile(r"\{\{|\{%")


_PYTHON_SUFFIXES = (".py", ".pyi", ".pyw", ".ipynb")
# Every other name pre-commit's `yaml` and `shell` types cover, so the hook never reads them as Python.
_OTHER_YAML_SUFFIXES = (".eyaml", ".yamlld")
_OTHER_SHELL_SUFFIXES = (".zsh", ".ksh", ".csh", ".bats")
_YAML_NAMES = frozenset({".clang-format", ".clang-tidy", ".yamllint", ".ansible-lint", ".salt-lint"})
_SHELL_NAMES = frozenset({".bashrc", ".bash_aliases", ".bash_profile", ".profile", ".zshrc", ".zshenv", ".zprofile",
                          ".zlogin", ".zlogout", ".cshrc", ".envrc", "direnvrc", "PKGBUILD"})


def config_kind(path: str, text: str = "") -> Optional[str]:
    """YAML or SHELL for a configuration file by its name (or a shell shebang), None for Python."""
    name = os.path.basename(path)
    lower = name.lower()
    if lower.endswith(_PYTHON_SUFFIXES):
        return None  # whatever its first line says (a `#!/bin/sh` polyglot launcher is still Python)
    if lower.endswith(YAML_SUFFIXES + _OTHER_YAML_SUFFIXES) or name in _YAML_NAMES:
        return YAML
    if lower.endswith(SHELL_SUFFIXES + _OTHER_SHELL_SUFFIXES) or name in _SHELL_NAMES or _SHELL_SHEBANG.match(text):
        return SHELL
    return None


def mentions_ray_cluster(data: bytes) -> bool:
    return _MARKERS.search(data) is not None


def check_config(source: str, path: str, options, kind: str) -> Tuple[List[Diagnostic], Optional[Suppressions]]:
    """RAY201's findings for one configuration file and its `# noqa` directives for the engine to apply,
    or one `invalid-syntax` finding (and no directives) when a Ray config is not valid YAML."""
    if CODE not in options.enabled or not mentions_ray_cluster(source.encode("utf-8", "surrogatepass")):
        return [], None
    from raylint.configs.yaml_reader import YamlError  # ruamel.yaml costs 45 ms to import: Ray configs only

    try:
        findings, suppressions = _check_shell(source) if kind == SHELL else _check_yaml(source)
    except YamlError as error:
        if _TEMPLATE.search(source):
            return [], None  # a template is not YAML until rendered: nothing to say
        return [pseudo_finding(SYNTAX_ERROR, path, error.message, error.row, error.column)], None
    return _diagnostics(findings, path), suppressions


def config_parses(source: str, path: str) -> bool:
    """Whether fixed text still reads as the kind of file it is (a shell script always does)."""
    if config_kind(path, source) != YAML:
        return True
    from raylint.configs.yaml_reader import YamlError, compose

    try:
        compose(source)
    except YamlError:
        return False
    return True


def _check_shell(source: str):
    from raylint.configs.head_node import check_shell
    from raylint.configs.shell import lex
    from raylint.configs.yaml_reader import Positions

    positions = Positions(source)
    script = lex(source)
    comments = [
        (positions.row_col(c.offset)[0], c.text, not source[positions.line_start(c.offset) : c.offset].strip())
        for c in script.comments
    ]
    # A command continued over several lines takes its noqa directive on its last line.
    targets = {}
    for first, last in script.spans:
        first_row, last_row = positions.row_col(first)[0], positions.row_col(last)[0]
        for row in range(first_row, last_row):
            targets[row] = last_row
    return check_shell(source), build_suppressions(comments, targets)


def _check_yaml(source: str):
    from raylint.configs import yaml_reader
    from raylint.configs.head_node import check_yaml

    positions = yaml_reader.Positions(source)
    roots = yaml_reader.compose(source)
    comments = yaml_reader.comments(source, roots, positions)
    suppressions = build_suppressions(comments, yaml_reader.noqa_rows(roots, positions))
    return check_yaml(source, roots, positions), suppressions


def _diagnostics(findings, path: str) -> List[Diagnostic]:
    name, severity = rule_info(CODE).name, level_of(CODE)
    return [
        Diagnostic(CODE, name, finding.message, path, Location(*finding.start), Location(*finding.end),
                   finding.start[0], severity, fix=finding.fix)
        for finding in findings
    ]
