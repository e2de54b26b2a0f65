from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from raylint.analysis import call_arguments, Binding, CallSite
from raylint.estimate import LARGE
from raylint.fixers.large_arg_without_put import PutOnce
from raylint.loops import runs_once
from raylint.rules.base import Option, Rule


class LargeArgWithoutPut(Rule):
    """
    ## What it does
    Checks for a large value (a numpy/pandas/torch/arrow object of constant-folded size, a big list or
    comprehension, a model, or any dataset loaded on the driver) passed by value to a Ray submission
    inside a loop, or to two or more submission sites in the same scope, when the value does not change
    between the calls.

    ## Why is this bad?
    Ray inlines small arguments, but stores anything larger than about 100 KiB in the object store
    *for each call*, and it does not deduplicate identical values. Passing the same 400 MB frame to 50
    tasks serialises it 50 times and can hold 50 copies, which leads to spilling,
    `ObjectStoreFullError` and slow submission. `ray.put` stores one copy that every worker on a node
    reads without copying (for numpy and Arrow buffers).

    The rule stays quiet on ObjectRefs and actor handles, on values that change per iteration, on
    scalars, short strings and small literal configs, and on values whose size it cannot work out
    (unless `unknown-size` is set).

    ## Example
    ```python
    matrix = np.zeros((4096, 4096))
    refs = [row_sum.remote(matrix, i) for i in range(50)]
    ```

    ## Use instead
    ```python
    matrix = np.zeros((4096, 4096))
    matrix_ref = ray.put(matrix)
    refs = [row_sum.remote(matrix_ref, i) for i in range(50)]
    ```
    Ray resolves a top-level ObjectRef argument back to its value, so the task's code does not change.
    For pure-Python objects (lists, dicts) every worker still deserialises its own copy
    (ray-project/ray#45731): prefer numpy or Arrow layouts for very large shared data.

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    The fix inserts `matrix_ref = ray.put(matrix)` once in the function that holds the call sites (in the
    module's own spelling: `r.put`, `put`), after the value is bound and after any `ray.init(...)` there,
    right before the first call site and outside every loop the value is not rebound in, and passes
    `matrix_ref` at every call site of that function. It is **safe** when the value is a plain local or
    module name bound once by assignment and nothing may change it between the put and the last call:
    no item, attribute or augmented assignment, no known mutating method (`.fill`, `.append`, `.update`,
    `.sort`, `.resize`, `inplace=True`, torch's `add_`...), no `out=`, no alias, and no hand-off to a
    function not known to only read it, in that stretch or in any other function that sees the value.
    Otherwise it is **unsafe**, and also when a call site runs in a lambda or a generator expression that
    is not consumed at once (it submits later, after the value may have changed), when a callee is
    imported from a module raylint does not index (its `.remote` may not be Ray's), when the value is bound
    to another object or a view of one (`data = base[1:]`, `np.asarray(base)`), or a part of it that may
    share its memory is bound to a name anywhere (`row = data[0]`, `t = data.T`), when the put would move out of a `try` or `with` around a call site (a failing put would
    raise outside it), and for parameters and values of unknown size (`unknown-size`), which may already
    be ObjectRefs. There is no fix when neither `ray` nor `ray.put` is bound where the put would go (no
    import is added), when `ray.init` follows the first call site or `ray.shutdown` comes between the
    calls, when the value is bound after the first call site, or when the call sits in a class body or
    shares its line with other statements. For pure-Python objects each worker still deserialises its own
    copy (ray-project/ray#45731): the fix removes the repeated serialisation and the object-store copies,
    not the memory each worker uses.

    ## Options
    - `min-bytes` (default 102400): the size from which a value counts as large.
    - `unknown-size` (default false): also report names of unknown size passed to submissions in a loop.

    ## References
    - [Anti-pattern: Passing the same large argument by value repeatedly harms performance](https://docs.ray.io/en/latest/ray-core/patterns/pass-large-arg-by-value.html)
    - [Tips for first-time users, tip 3](https://docs.ray.io/en/latest/ray-core/tips-for-first-time.html)
    """

    code = "RAY002"
    name = "large-arg-without-put"
    summary = "The same large value is passed by value to many `.remote()` calls"
    fix_availability = "Sometimes"
    options = {
        "min-bytes": Option("min-bytes", 102400, "Size in bytes from which a value counts as large"),
        "unknown-size": Option("unknown-size", False, "Also report values whose size cannot be worked out"),
    }

    def run(self) -> None:
        names = self.analysis.names
        submissions = [site for site in self.analysis.walk.calls if names.is_submission(site)]
        # (binding of the argument) -> the sites that pass it, to find values shared by several sites
        sharing: Dict[Tuple[int, int], List[Tuple[CallSite, ast.AST, Binding, Optional[int]]]] = {}
        for site in submissions:
            for argument in call_arguments(site.node):
                candidate = self._candidate(site, argument)
                if candidate is None:
                    continue
                binding, size = candidate
                key = (id(binding), id(site.function))
                sharing.setdefault(key, []).append((site, argument, binding, size))
        # binding -> every submission passing it: the fix replaces the argument at all of them at once
        sites_of: Dict[int, List[CallSite]] = {}
        for uses in sharing.values():
            for site, _, binding, _ in uses:
                sites = sites_of.setdefault(id(binding), [])
                if not any(known.node is site.node for known in sites):
                    sites.append(site)
        put_once = PutOnce(self.analysis)
        reported = set()
        for uses in sharing.values():
            several_sites = len({id(site.node) for site, *_ in uses}) >= 2
            for site, argument, binding, size in uses:
                in_loop = self._loops_after(site, binding)
                if not (in_loop or several_sites) or id(site.node) in reported:
                    continue
                reported.add(id(site.node))
                self.report(
                    site.node,
                    self._message(argument, size, in_loop),
                    fix=lambda site=site, argument=argument, binding=binding, size=size: put_once.fix(
                        binding, argument.id, sites_of[id(binding)], site, size
                    ),
                )

    def _candidate(self, site: CallSite, argument: ast.AST) -> Optional[Tuple[Binding, Optional[int]]]:
        """The single binding of a plain name argument and its size, when it is large (or unknown and asked for)."""
        if not isinstance(argument, ast.Name):
            return None
        bindings = site.scope.lookup(argument.id)
        if not bindings or len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind == "param" or (binding.kind == "assign" and binding.path):
            # a parameter, or one part of an unpacked result: the size cannot be known
            return (binding, None) if self.settings["unknown-size"] else None
        if binding.kind != "assign" or binding.value is None:
            return None
        if argument.id in binding.scope.appends:
            return None  # mutated in place (`big[i] = v`, `big.append(v)`): the copies may differ
        value = self.analysis.names.value(binding.value, binding.scope)
        if value is not None and value.tag in ("ref", "refs", "handle", "handles"):
            return None
        if _wraps_put(binding.value, self.analysis.names, binding.scope):
            return None
        size = self.analysis.estimate.size_bytes(binding.value, binding.scope)
        if size is not None and size >= self.settings["min-bytes"]:
            return binding, size
        if size is None and self.settings["unknown-size"]:
            return binding, None
        return None

    @staticmethod
    def _loops_after(site: CallSite, binding: Binding) -> bool:
        """True when the call repeats in a loop that the value's binding sits outside of."""
        outer = set(id(loop.node) for loop in binding.loops)
        return any(id(loop.node) not in outer and not runs_once(loop) for loop in site.loops)

    @staticmethod
    def _message(argument: ast.Name, size: Optional[int], in_loop: bool) -> str:
        how = "in a loop" if in_loop else "to several submissions"
        if size is None:
            amount = "a value of unknown size"
        elif size >= LARGE:
            amount = "a large value"
        else:
            amount = f"about {_human(size)}"
        return (
            f"`{argument.id}` ({amount}) is passed by value {how}, so Ray copies it into the object store "
            f"for every call; `ray.put` it once and pass the ref"
        )


def _wraps_put(expr: ast.AST, names, scope) -> bool:
    return isinstance(expr, ast.Call) and names.is_ray(expr.func, scope, "put")


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


RULE = LargeArgWithoutPut
