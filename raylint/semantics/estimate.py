"""Constant folding for sizes and trip counts: how many bytes a value holds, how many times a loop runs."""

from __future__ import annotations

import ast
import math
from typing import Dict, Optional, Tuple

from raylint.semantics.analysis import keyword_value, Loop, Scope

# A value known to be big whose exact size cannot be computed (a loaded dataset, a pretrained model).
LARGE = 1 << 60
POINTER = 8
# Calls whose result is big by type even when its size cannot be folded: an image, a tokenizer or model,
# a dataset. Loaders (`torch.load`, `pickle.load`, `joblib.load`, readers) and any `.from_pretrained(...)`
# count too; RAY002's `extra-large-calls` adds project-specific names.
LARGE_OBJECT_CALLS = frozenset(
    {
        "PIL.Image.open",
        "datasets.load_dataset",
        "datasets.load_from_disk",
        "datasets.Dataset.from_pandas",
        "torch.load",
        "pickle.load",
        "joblib.load",
    }
)
_MAX_DEPTH = 12

_ITEMSIZE = {
    "float64": 8, "double": 8, "float_": 8, "int64": 8, "int_": 8, "uint64": 8, "complex64": 8,
    "float32": 4, "single": 4, "int32": 4, "uint32": 4, "intc": 4,
    "float16": 2, "half": 2, "int16": 2, "uint16": 2,
    "int8": 1, "uint8": 1, "bool": 1, "bool_": 1,
    "complex128": 16, "complex_": 16,
    "float": 8, "int": 8, "complex": 16,
}
_NUMPY_SHAPED = ("zeros", "ones", "empty", "full")
_NUMPY_RANDOM_DIMS = ("rand", "randn")
_NUMPY_RANDOM_SIZED = {
    # function -> index of the positional `size` argument
    "random": 0, "random_sample": 0, "sample": 0, "standard_normal": 0, "normal": 2, "uniform": 2,
    "beta": 2, "lognormal": 2, "randint": 2, "integers": 2, "exponential": 1, "poisson": 1,
    "binomial": 2, "choice": 1, "permutation": None,
}
_TORCH_DIMS = ("randn", "rand", "zeros", "ones", "empty")
_SAME_SIZE_METHODS = ("astype", "copy", "reshape", "ravel", "flatten", "T", "transpose", "view", "clone", "float", "double")


class Estimator:
    """Folds constants, lengths and byte sizes through a module's bindings."""

    def __init__(self, names, loaders=None):
        self.names = names
        self.loaders = loaders
        # (loop clause or statement, scope) -> its trip count: several rules ask about the same loops
        self._trip_counts: Dict[Tuple[int, int], Optional[int]] = {}

    # -- integers --------------------------------------------------------------------------

    def const(self, expr: ast.AST, scope: Scope, depth: int = 0) -> Optional[float]:
        """The numeric value of `expr` when it folds to a constant."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Constant):
            value = expr.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return None
            return value
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            inner = self.const(expr.operand, scope, depth + 1)
            return -inner if inner is not None else None
        if isinstance(expr, ast.BinOp):
            left = self.const(expr.left, scope, depth + 1)
            right = self.const(expr.right, scope, depth + 1)
            if left is None or right is None:
                return None
            return _binop(expr.op, left, right)
        if isinstance(expr, ast.Name):
            value = self._single_value(expr.id, scope)
            if value is not None:
                return self.const(value[0], value[1], depth + 1)
            return None
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and len(expr.args) == 1:
            if expr.func.id == "len":
                return self.length(expr.args[0], scope, depth + 1)
            if expr.func.id == "int":
                inner = self.const(expr.args[0], scope, depth + 1)
                return int(inner) if inner is not None else None
        return None

    def _single_value(self, name: str, scope: Scope):
        """The one expression a name is ever assigned, with its scope, or None."""
        bindings = scope.lookup(name)
        if not bindings or len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind != "assign" or binding.path or binding.value is None:
            return None
        return binding.value, binding.scope

    # -- lengths ---------------------------------------------------------------------------

    def length(self, expr: ast.AST, scope: Scope, depth: int = 0) -> Optional[int]:
        """How many elements iterating `expr` yields, when that folds to a constant."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            if any(isinstance(e, ast.Starred) for e in expr.elts):
                return None
            return len(expr.elts)
        if isinstance(expr, ast.Dict):
            return len(expr.keys)
        if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes)):
            return len(expr.value)
        if isinstance(expr, ast.Name):
            value = self._single_value(expr.id, scope)
            return self.length(value[0], value[1], depth + 1) if value is not None else None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
            for seq, count in ((expr.left, expr.right), (expr.right, expr.left)):
                if isinstance(seq, (ast.List, ast.Tuple, ast.Constant)):
                    n, times = self.length(seq, scope, depth + 1), self.const(count, scope, depth + 1)
                    if n is not None and isinstance(times, int):
                        return n * times
            return None
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            total = 1
            inner = self.names.walk.scopes.get(id(expr), scope)
            for index, clause in enumerate(expr.generators):
                if clause.ifs:
                    return None
                n = self.length(clause.iter, scope if index == 0 else inner, depth + 1)
                if n is None:
                    return None
                total *= n
            return total
        if isinstance(expr, ast.Call):
            return self._call_length(expr, scope, depth)
        return None

    def _call_length(self, call: ast.Call, scope: Scope, depth: int) -> Optional[int]:
        qual = self.names.qualname(call.func, scope)
        args = call.args
        if qual == "builtins.range" and 1 <= len(args) <= 3:
            values = [self.const(a, scope, depth + 1) for a in args]
            if any(not isinstance(v, int) for v in values):
                return None
            return len(range(*values)) if values[-1] != 0 or len(values) < 3 else None
        if qual in ("builtins.list", "builtins.tuple", "builtins.set", "builtins.sorted", "builtins.reversed",
                    "builtins.enumerate", "numpy.array", "numpy.asarray") and len(args) == 1:
            return self.length(args[0], scope, depth + 1)
        if qual == "builtins.zip" and args:
            lengths = [self.length(a, scope, depth + 1) for a in args]
            return None if any(n is None for n in lengths) else min(lengths)
        if qual == "numpy.arange" and 1 <= len(args) <= 3:
            values = [self.const(a, scope, depth + 1) for a in args]
            if any(v is None for v in values):
                return None
            start, stop, step = (0, values[0], 1) if len(values) == 1 else (values + [1])[:3]
            return max(0, math.ceil((stop - start) / step)) if step else None
        if qual == "numpy.linspace" and len(args) >= 3:
            n = self.const(args[2], scope, depth + 1)
            return int(n) if n is not None else None
        dims = self._numpy_dims(call, qual, scope, depth)
        if dims:
            return dims[0]
        return None

    # -- bytes -----------------------------------------------------------------------------

    def size_bytes(self, expr: ast.AST, scope: Scope, depth: int = 0) -> Optional[int]:
        """Approximate bytes of the value of `expr` (LARGE when big but not computable), else None."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Constant):
            value = expr.value
            return len(value) if isinstance(value, (str, bytes)) else POINTER
        if isinstance(expr, ast.Name):
            value = self._single_value(expr.id, scope)
            return self.size_bytes(value[0], value[1], depth + 1) if value is not None else None
        if isinstance(expr, ast.Attribute) and expr.attr in _SAME_SIZE_METHODS:
            return self.size_bytes(expr.value, scope, depth + 1)
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Mult) and any(isinstance(s, (ast.List, ast.Tuple)) for s in (expr.left, expr.right)):
                repeated = self.length(expr, scope, depth + 1)
                return repeated * POINTER if repeated is not None else None
            sizes = [self.size_bytes(side, scope, depth + 1) for side in (expr.left, expr.right)]
            known = [s for s in sizes if s is not None]
            return max(known) if known else None
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return self._sum_sizes(expr.elts, scope, depth)
        if isinstance(expr, ast.Dict):
            return self._sum_sizes([v for v in expr.values if v is not None], scope, depth)
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = self.names.walk.scopes.get(id(expr), scope)
            element = expr.value if isinstance(expr, ast.DictComp) else expr.elt
            each = self.size_bytes(element, inner, depth + 1)
            count = self.length(expr, scope, depth + 1)
            if count is None:
                return each if each is not None and each >= POINTER * 64 else None
            return count * max(each or POINTER, POINTER)
        if isinstance(expr, ast.Call):
            return self._call_size(expr, scope, depth)
        return None

    def _sum_sizes(self, elements, scope: Scope, depth: int) -> Optional[int]:
        total = 0
        for element in elements:
            if isinstance(element, ast.Starred):
                return None
            size = self.size_bytes(element, scope, depth + 1)
            total += size if size is not None else POINTER
        return total

    def _call_size(self, call: ast.Call, scope: Scope, depth: int) -> Optional[int]:
        func = call.func
        qual = self.names.qualname(func, scope)
        if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
            return LARGE
        if self.loaders is not None and self.loaders.loader_name(call, scope) is not None:
            return LARGE
        if qual in LARGE_OBJECT_CALLS:
            return LARGE
        if qual is None:
            if isinstance(func, ast.Attribute) and func.attr in _SAME_SIZE_METHODS:
                return self.size_bytes(func.value, scope, depth + 1)
            generator = self._rng_method(func, scope)
            if generator is None:
                return None
            qual = "numpy.random." + generator
        if qual in ("pandas.DataFrame", "pandas.Series", "numpy.array", "numpy.asarray", "torch.tensor",
                    "torch.from_numpy", "builtins.list", "builtins.tuple", "builtins.dict", "builtins.bytes",
                    "builtins.bytearray", "pyarrow.table", "pyarrow.Table.from_pandas") and call.args:
            if qual in ("builtins.bytes", "builtins.bytearray"):
                n = self.const(call.args[0], scope, depth + 1)
                if isinstance(n, int):
                    return n  # `bytes(n)`: n zero bytes
            inner = self.size_bytes(call.args[0], scope, depth + 1)
            if qual in ("builtins.list", "builtins.tuple") and inner is None:
                n = self.length(call.args[0], scope, depth + 1)
                return n * POINTER if n is not None else None
            return inner
        if qual == "torch.load":
            return LARGE
        if qual.startswith("torch.") and qual[6:] in _TORCH_DIMS:
            count = self._count(call.args[0] if len(call.args) == 1 else ast.Tuple(elts=list(call.args)), scope, depth)
            return count * self._itemsize(call, 4) if count is not None else None
        dims = self._numpy_dims(call, qual, scope, depth)
        if dims is not None:
            return math.prod(dims) * self._itemsize(call, 8)
        return None

    def _numpy_dims(self, call: ast.Call, qual: Optional[str], scope: Scope, depth: int):
        """The shape an array constructor produces, as a list of ints, or None."""
        if qual is None or not qual.startswith("numpy."):
            return None
        name = qual[6:]
        args = call.args
        if name in _NUMPY_SHAPED and args:
            return self._shape(args[0], scope, depth)
        if name == "arange":
            n = self._call_length(call, scope, depth)
            return [n] if n is not None else None
        if name == "eye" and args:
            n = self.const(args[0], scope, depth + 1)
            return [int(n), int(n)] if n is not None else None
        if name.startswith("random."):
            function = name[7:]
            if function in _NUMPY_RANDOM_DIMS:
                dims = [self.const(a, scope, depth + 1) for a in args]
                return [int(d) for d in dims] if dims and all(isinstance(d, (int, float)) for d in dims) else None
            if function in _NUMPY_RANDOM_SIZED:
                size = keyword_value(call, "size")
                position = _NUMPY_RANDOM_SIZED[function]
                if size is None and position is not None and len(args) > position:
                    size = args[position]
                return self._shape(size, scope, depth) if size is not None else None
        return None

    def _rng_method(self, func: ast.AST, scope: Scope) -> Optional[str]:
        """`rng.integers(...)` where `rng = np.random.default_rng(...)`: the method name, else None."""
        if not isinstance(func, ast.Attribute) or func.attr not in _NUMPY_RANDOM_SIZED:
            return None
        receiver = func.value
        if isinstance(receiver, ast.Name):
            value = self._single_value(receiver.id, scope)
            if value is None:
                return None
            receiver, scope = value
        if isinstance(receiver, ast.Call) and self.names.qualname(receiver.func, scope) in (
            "numpy.random.default_rng",
            "numpy.random.RandomState",
            "numpy.random.Generator",
        ):
            return func.attr
        return None

    def _shape(self, expr: ast.AST, scope: Scope, depth: int):
        if isinstance(expr, (ast.Tuple, ast.List)):
            dims = [self.const(e, scope, depth + 1) for e in expr.elts]
            return [int(d) for d in dims] if all(isinstance(d, (int, float)) for d in dims) else None
        if isinstance(expr, ast.Name):
            value = self._single_value(expr.id, scope)
            return self._shape(value[0], value[1], depth + 1) if value is not None else None
        value = self.const(expr, scope, depth + 1)
        return [int(value)] if isinstance(value, (int, float)) else None

    def _count(self, expr: ast.AST, scope: Scope, depth: int) -> Optional[int]:
        dims = self._shape(expr, scope, depth)
        return math.prod(dims) if dims is not None else None

    def _itemsize(self, call: ast.Call, default: int) -> int:
        dtype = keyword_value(call, "dtype")
        name = None
        if isinstance(dtype, ast.Constant) and isinstance(dtype.value, str):
            name = dtype.value
        elif isinstance(dtype, ast.Attribute):
            name = dtype.attr
        elif isinstance(dtype, ast.Name):
            name = dtype.id
        return _ITEMSIZE.get(name, default) if name else default

    # -- loops -----------------------------------------------------------------------------

    def trip_count(self, loop: Loop, scope: Scope) -> Optional[int]:
        """How many times `loop` runs, when its iterable folds to a constant length (kept per loop and scope)."""
        key = (id(loop.clause or loop.node), id(scope))
        if key not in self._trip_counts:
            self._trip_counts[key] = self._trip_count(loop, scope)
        return self._trip_counts[key]

    def _trip_count(self, loop: Loop, scope: Scope) -> Optional[int]:
        if loop.kind == "while" or loop.iter is None:
            return None
        if loop.kind == "comprehension" and loop.clause.ifs:
            return None
        where = scope
        if loop.kind == "comprehension" and loop.node.generators[0] is loop.clause:
            where = self.names.walk.scopes.get(id(loop.node), scope).parent or scope
        return self.length(loop.iter, where)


def _binop(op: ast.operator, left: float, right: float) -> Optional[float]:
    try:
        if isinstance(op, ast.Add):
            return left + right
        if isinstance(op, ast.Sub):
            return left - right
        if isinstance(op, ast.Mult):
            return left * right
        if isinstance(op, ast.FloorDiv):
            return left // right
        if isinstance(op, ast.Div):
            return left / right
        if isinstance(op, ast.Pow):
            if abs(right) > 64:
                return None
            return left**right
        if isinstance(op, ast.Mod):
            return left % right
    except (ZeroDivisionError, OverflowError):
        return None
    return None
