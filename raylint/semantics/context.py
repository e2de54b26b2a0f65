"""Everything rules know about one file: its text, its walk, Ray names, loops, sizes and loaders."""

from __future__ import annotations

import ast
import re
from typing import Iterable, List, Tuple

from raylint.semantics.analysis import ModuleWalk, span_of
from raylint.semantics.estimate import Estimator
from raylint.ftypes import Location
from raylint.semantics.loaders import Loaders
from raylint.semantics.loops import LoopFacts
from raylint.semantics.ray_names import RayNames

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class FileContext:
    """The shared, lazily computed view of a module that every rule reads."""

    def __init__(self, filename: str, source: str, tree: ast.Module, module_name: str = "", index=None,
                 extra_loaders: Iterable[str] = ()):
        self.filename = filename
        self.source = source
        # str.split is several times faster than the regex, and the same where no line ends with a CR
        self.lines = source.split("\n") if "\r" not in source else _LINE_BREAK.split(source)
        self.tree = tree
        self.module_name = module_name
        self.walk = ModuleWalk(tree)
        self.names = RayNames(self.walk, module_name, index)
        self.loops = LoopFacts()
        self.loaders = Loaders(self.names, extra_loaders)
        self.estimate = Estimator(self.names, self.loaders)
        self.fix_errors: List[str] = []
        self.plan_fixes = False  # True: findings carry only whether a fix exists and its applicability
        self.fix_rows = None  # with plan_fixes: (first, last) row of the findings whose fix is built anyway
        self._cst = None
        self._regions = {}

    def cst_for(self, node: ast.AST):
        """A libcst view of just the top-level statement holding `node`, for fixes that stay inside it:
        rows and edits are shifted to the file's own, and a fix costs the size of that statement rather
        than of the whole file."""
        if self._cst is not None:
            return self._cst
        from raylint.fixers.base import CstFile, statement_region

        region = statement_region(self.source, self.tree, node)
        if region is None:
            return self.cst
        key, text, first_row = region
        if key not in self._regions:
            self._regions[key] = CstFile(text, ast.parse(text), row_offset=first_row - 1)
        return self._regions[key]

    @property
    def cst(self):
        """The libcst view of the file, parsed on first use: only files with a fixable finding pay for it."""
        if self._cst is None:
            from raylint.fixers.base import CstFile

            self._cst = CstFile(self.source, self.tree)
        return self._cst

    def span(self, node: ast.AST) -> Tuple[Location, Location]:
        return span_of(self.lines, node)
