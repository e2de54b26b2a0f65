"""Which calls load a dataset from storage: shared by RAY005 and by RAY002's size heuristics."""

from __future__ import annotations

import ast
import re
from typing import Iterable, Optional

from raylint.semantics.analysis import Scope

_PANDAS_READERS = re.compile(
    r"^pandas\.read_(parquet|csv|json|feather|orc|pickle|hdf|excel|sql|sql_table|sql_query|table|fwf|stata|sas|spss|xml)$"
)
_POLARS_READERS = re.compile(r"^polars\.(read|scan)_\w+$")
LOADER_QUALNAMES = frozenset(
    {
        "numpy.load",
        "numpy.loadtxt",
        "numpy.genfromtxt",
        "numpy.fromfile",
        "torch.load",
        "pickle.load",
        "joblib.load",
        "dill.load",
        "cloudpickle.load",
        "pyarrow.parquet.read_table",
        "pyarrow.feather.read_table",
        "pyarrow.feather.read_feather",
        "pyarrow.csv.read_csv",
        "pyarrow.json.read_json",
        "pyarrow.orc.read_table",
        # images, one file each: a driver loop over many of them loads a dataset
        "PIL.Image.open",
        "cv2.imread",
        "imageio.imread",
        "imageio.v3.imread",
        "skimage.io.imread",
    }
)
_FILE_READ_METHODS = ("read", "readlines")
_PATH_READ_METHODS = ("read_bytes", "read_text")
_CONFIG_SUFFIXES = (".json", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".conf")


class Loaders:
    """Recognises loader calls for one module, including the user's `extra-loaders`."""

    def __init__(self, names, extra: Iterable[str] = ()):
        self.names = names
        self.extra = frozenset(extra)

    def loader_name(self, call: ast.Call, scope: Scope) -> Optional[str]:
        """A short description of the loader (`pandas.read_csv`, `open().read`), or None."""
        func = call.func
        qual = self.names.qualname(func, scope)
        if qual is not None:
            if qual in LOADER_QUALNAMES or qual in self.extra:
                return qual
            if _PANDAS_READERS.match(qual) or _POLARS_READERS.match(qual):
                return qual
        if not isinstance(func, ast.Attribute):
            return None
        receiver = func.value
        if func.attr == "read" and isinstance(receiver, ast.Call):
            # pq.ParquetFile(path).read()
            if self.names.qualname(receiver.func, scope) == "pyarrow.parquet.ParquetFile":
                return "pyarrow.parquet.ParquetFile.read"
        if func.attr in _FILE_READ_METHODS and not call.args:
            opened = self._opened_file(receiver, scope)
            if opened is not None:
                return f"open().{func.attr}"
        if func.attr in _PATH_READ_METHODS and not call.args:
            if self._is_path(receiver, scope):
                return f"Path.{func.attr}"
        return None

    def _opened_file(self, expr: ast.AST, scope: Scope) -> Optional[ast.Call]:
        """The `open(...)` call behind `open(p)` or a `with open(p) as fh` handle."""
        if isinstance(expr, ast.Call) and self.names.qualname(expr.func, scope) in ("builtins.open", "io.open"):
            return expr
        if isinstance(expr, ast.Name):
            bindings = scope.lookup(expr.id) or []
            if len(bindings) == 1 and bindings[0].kind in ("with", "assign"):
                value = bindings[0].value
                if isinstance(value, ast.Call) and self.names.qualname(value.func, bindings[0].scope) in (
                    "builtins.open",
                    "io.open",
                ):
                    return value
        return None

    def _is_path(self, expr: ast.AST, scope: Scope) -> bool:
        if isinstance(expr, ast.Call):
            return self.names.qualname(expr.func, scope) in ("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath")
        if isinstance(expr, ast.Name):
            bindings = scope.lookup(expr.id) or []
            return len(bindings) == 1 and bindings[0].kind == "assign" and self._is_path(bindings[0].value, scope)
        return False

    def reads_config(self, call: ast.Call, scope: Scope) -> bool:
        """Config-sized files (a `.json`/`.yaml` path literal) are not datasets."""
        candidates = list(call.args)
        func = call.func
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if isinstance(receiver, ast.Call):
                candidates.extend(receiver.args)
            elif isinstance(receiver, ast.Name):
                opened = self._opened_file(receiver, scope)
                if opened is not None:
                    candidates.extend(opened.args)
        for arg in candidates:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.lower().endswith(_CONFIG_SUFFIXES):
                return True
        return False
