"""Lint a file on disk by its format: notebooks through their cells, everything else as text."""

from __future__ import annotations

from typing import Optional

from raylint.engine import FileResult, LintOptions, SourceError, decode_source, lint_source, pseudo_finding
from raylint.registry import IO_ERROR
from raylint.semantics.project_index import ProjectIndex
from raylint.sources import NOTEBOOK_SUFFIX


def lint_path(path: str, options: LintOptions, module_name: str, index: Optional[ProjectIndex] = None,
              data: Optional[bytes] = None) -> FileResult:
    """Lint one file on disk (its bytes `data` when the caller has read them already); unreadable or
    undecodable files become one `io-error` finding."""
    try:
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read()
        if path.endswith(NOTEBOOK_SUFFIX):
            from raylint.sources.notebooks import lint_notebook  # a run without notebooks never loads it

            return lint_notebook(data, path, options, module_name, index)
        source = decode_source(data)
    except OSError as error:
        return FileResult(path, [pseudo_finding(IO_ERROR, path, f"Failed to read {path}: {error.strerror or error}")])
    except SourceError as error:
        return FileResult(path, [pseudo_finding(IO_ERROR, path, f"Failed to read {path}: {error}")])
    return lint_source(source, path, options, module_name, index, data, warn_noqa=True)
