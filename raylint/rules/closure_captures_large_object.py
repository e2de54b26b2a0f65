from __future__ import annotations

import ast
from typing import Dict, FrozenSet, Optional, Tuple

from raylint.semantics.analysis import scoped_names, Binding, Scope
from raylint.semantics.estimate import LARGE
from raylint.semantics.spelling import may_name
from raylint.rules.base import Option, Rule


class ClosureCapturesLargeObject(Rule):
    """
    ## What it does
    Checks for a remote function or actor class whose body reads a large object bound outside it: a
    module-level or enclosing-function name assigned once to an array of constant-folded shape, a big
    list, a model, or a dataset loaded on the driver (the sizes RAY002 and RAY005 work out), 10 MB or
    more by default.

    ## Why is this bad?
    Ray pickles a remote function or actor class with everything it refers to: a captured 500 MB frame
    becomes part of the definition, which is uploaded to the GCS and downloaded and unpickled by every
    worker that runs it. Ray warns when a definition passes 10 MB ("The remote function ... is very
    large") and refuses one over 100 MB. Passing the object as an argument (`ray.put` once) stores it once
    in the object store, where workers on a node share it.

    The rule stays quiet on modules, functions, classes, parameters, small constants, ObjectRefs, names
    bound more than once or of unknown size, and names the body binds itself.

    Known problems: a function defined in an importable module (not a script run as `__main__`) is pickled
    by reference, so the object is not shipped with it, but each worker that imports the module builds
    it again; the rule reports it all the same. Several captures that only add up past the threshold, and
    objects captured through default argument values, are not reported.

    ## Example
    ```python
    lookup = np.random.rand(8192, 8192)  # 512 MiB

    @ray.remote
    def score(ids):
        return lookup[ids].sum()

    ray.get([score.remote(batch) for batch in batches])
    ```

    ## Use instead
    ```python
    lookup_ref = ray.put(np.random.rand(8192, 8192))

    @ray.remote
    def score(lookup, ids):
        return lookup[ids].sum()

    ray.get([score.remote(lookup_ref, batch) for batch in batches])
    ```
    Ray resolves the top-level ref argument to the array, read without copying from the node's object
    store. If the object can be built from something small (a path, a seed), build it inside the task
    or an actor's `__init__` instead.

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    There is no fix: the task's signature and every call site change, and whether to `ray.put` the
    object or build it in the worker is a design choice.

    ## Options
    - `min-bytes` (default 10000000): the size from which a captured object is reported, Ray's own
      warning threshold for a pickled definition (`FUNCTION_SIZE_WARN_THRESHOLD`). It is higher than
      RAY002's 100 KiB because a definition is shipped once per worker, not once per call.

    ## References
    - [Anti-pattern: Closure capturing large objects harms performance](https://docs.ray.io/en/latest/ray-core/patterns/closure-capture-large-objects.html)
    """

    code = "RAY107"
    name = "closure-captures-large-object"
    summary = "Remote function or actor captures a large object from an outer scope"
    options = {"min-bytes": Option("min-bytes", 10_000_000, "Size in bytes from which a captured object is reported")}

    def run(self) -> None:
        names = self.analysis.names
        walk = self.analysis.walk
        seen = set()
        self._capturable_in: Dict[int, FrozenSet[str]] = {}
        for remote in names.remote_definitions():
            node = remote.node
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            body_scope = walk.scopes[id(node)]
            # `_captured` accepts only a name bound once, by a plain assignment, in the scope the definition
            # sits in or one around it (the module's too, for a name declared `global`): the walk below can
            # only report a read of such a name
            if not may_name(self.analysis.lines, node, self._capturable(body_scope.parent)):
                continue
            first: Dict[str, Tuple[ast.Name, Binding, int]] = {}
            for use, where in scoped_names(walk, node.body, body_scope):
                if not isinstance(use.ctx, ast.Load):
                    continue
                captured = self._captured(use.id, where, body_scope)
                if captured is None:
                    continue
                known = first.get(use.id)
                if known is None or (use.lineno, use.col_offset) < (known[0].lineno, known[0].col_offset):
                    first[use.id] = (use, *captured)
            for use, binding, size in sorted(first.values(), key=lambda f: (f[0].lineno, f[0].col_offset)):
                where = "the module" if binding.scope.kind == "module" else "the enclosing function"
                kind = "actor class" if remote.is_actor else "remote function"
                self.report(
                    use,
                    f"`{use.id}` ({_amount(size)}, from {where}) is captured by the {kind} `{remote.name}`: Ray "
                    f"pickles it into the definition and ships it to every worker; `ray.put` it and pass the "
                    f"ref as an argument, or build it inside the task",
                )

    def _capturable(self, scope: Optional[Scope]) -> FrozenSet[str]:
        """Names bound exactly once, by a plain assignment, in `scope` or a scope around it."""
        if scope is None:
            return frozenset()
        known = self._capturable_in.get(id(scope))
        if known is None:
            own = {name for name, bindings in scope.bindings.items()
                   if len(bindings) == 1 and bindings[0].kind == "assign" and not bindings[0].path
                   and bindings[0].value is not None}
            known = self._capturable_in[id(scope)] = frozenset(own) | self._capturable(scope.parent)
        return known

    def _captured(self, name: str, where: Scope, body_scope: Scope) -> Optional[Tuple[Binding, int]]:
        """The outside binding `name` reads and its size, when it is a single large assignment."""
        bindings = where.lookup(name)
        if not bindings or len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind != "assign" or binding.path or binding.value is None or _within(binding.scope, body_scope):
            return None
        size = self.analysis.estimate.size_bytes(binding.value, binding.scope)
        if size is None or size < self.settings["min-bytes"]:
            return None
        return binding, size


def _within(scope: Optional[Scope], root: Scope) -> bool:
    while scope is not None:
        if scope is root:
            return True
        scope = scope.parent
    return False


def _amount(size: int) -> str:
    return "a large object" if size >= LARGE else f"about {size / 2**20:,.0f} MiB"


RULE = ClosureCapturesLargeObject
