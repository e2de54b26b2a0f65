from __future__ import annotations

import ast
from typing import List, Set

from raylint.semantics.analysis import keyword_value
from raylint.fixers.task_returns_put_ref import plan_return_value, return_value
from raylint.semantics.loops import target_names, walk_local
from raylint.rules.base import LazyFix, Rule

_APPENDS = frozenset({"append", "add", "extend", "insert", "appendleft"})


class TaskReturnsPutRef(Rule):
    """
    ## What it does
    Checks for a remote function or actor method that returns or yields the ref of a `ray.put`, directly
    (`return ray.put(x)`) or through a name or a container (`refs.append(ray.put(p))` then
    `return refs`).

    ## Why is this bad?
    A task's return value is stored by Ray anyway: small values (up to 100 KiB) travel inline with the
    reply, larger ones go to the object store. Returning `ray.put(x)` instead skips the inline fast path,
    costs an extra object and its reference counting, and makes the worker that ran the task the owner
    of the object: when that worker exits or dies the object is lost, even though the caller still
    holds a ref to it. Callers also need two `ray.get`s to reach the value.

    The rule stays quiet on `ray.put` used only to pass data to nested tasks, on returning refs of
    `.remote()` calls (the nested-tasks pattern), on `ray.put(x, _owner=...)`, which hands ownership
    to another worker on purpose, and on functions that do not run as tasks.

    Known problems: refs that travel through attributes (`self.ref = ray.put(x)` in one method,
    `return self.ref` in another) or through other functions are not followed.

    ## Example
    ```python
    @ray.remote(num_cpus=1)
    def make_shards(data, n):
        return [ray.put(shard) for shard in np.array_split(data, n)]
    ```

    ## Use instead
    ```python
    @ray.remote(num_cpus=1)
    def make_shards(data, n):
        return np.array_split(data, n)

    # or one object per shard, each owned by the caller:
    @ray.remote(num_cpus=1, num_returns=4)
    def make_shards(data):
        return np.array_split(data, 4)
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    The fix rewrites the task and its callers together: `return ray.put(v)` becomes `return v`, and each
    caller's `ray.get(task.remote(...))` (also over a list or a list comprehension of submissions)
    becomes `task.remote(...)`. The task's own ref now leads to the value the inner ref led to, so
    whatever the caller does with it (dict keys, `from_partitions`, arguments to other tasks, a later
    `ray.get`) keeps working. It is **unsafe**: the removed `ray.get` no longer waits for the task, so a
    side effect the caller relied on (a file the task writes) may not have happened yet.

    The fix exists only when the analysis sees every caller: each use of the task's name in the module
    is such a `ray.get`, and no other module can call the task (it is defined inside a function, has a
    private `_name`, or the module is a script with an `if __name__ == "__main__":` block or a top-level
    `ray.init()`). No fix either for actor methods, for `num_returns` other than one, when some `return`
    is not a `ray.put` (or the body can end without one), when the ref travels through a name or a
    container, or when `ray.put` has keywords.

    ## Options
    None.

    ## References
    - [Anti-pattern: Returning ray.put() ObjectRefs from a task harms performance and fault tolerance](https://docs.ray.io/en/latest/ray-core/patterns/return-ray-put.html)
    """

    code = "RAY103"
    name = "task-returns-put-ref"
    summary = "Task returns a `ray.put()` ObjectRef"
    options: dict = {}
    fix_availability = "Sometimes"

    def run(self) -> None:
        names = self.analysis.names
        for site in names.ray_calls("put"):
            if keyword_value(site.node, "_owner") is not None:
                continue
            remote = names.task_code(site.function)
            if remote is None:
                continue
            outputs = _outputs(site.function)
            carriers = _carriers(site.function, site.node)
            if not any(_carries(value, site.node, carriers) for value in outputs):
                continue
            direct = any(value is site.node for value in outputs)
            where = "an actor method" if remote.is_actor else "a task"
            self.report(
                site.node,
                f"`ray.put` ref returned from {where}: the worker becomes the object's owner (it is lost if the "
                f"worker dies) and small values skip the inline return path; return the value itself",
                fix=LazyFix(build=lambda site=site: return_value(self.analysis, site),
                            plan=lambda site=site: plan_return_value(self.analysis, site)) if direct else None,
            )


def _outputs(function: ast.AST) -> List[ast.AST]:
    """The values the function returns or yields."""
    found = []
    for node in _body_nodes(function):
        if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)) and node.value is not None:
            found.append(node.value)
    return found


def _carriers(function: ast.AST, put: ast.Call) -> Set[str]:
    """Names that hold the put's ref, directly or inside a container, after the function's assignments
    and `.append(...)`-style calls (a fixpoint: `ref = ray.put(x); out = [ref]` makes both carriers)."""
    carriers: Set[str] = set()
    nodes = list(_body_nodes(function))
    changed = True
    while changed:
        changed = False
        for node in nodes:
            for name in _filled_names(node, put, carriers):
                if name not in carriers:
                    carriers.add(name)
                    changed = True
    return carriers


def _filled_names(node: ast.AST, put: ast.Call, carriers: Set[str]) -> Set[str]:
    if isinstance(node, ast.Assign):
        filled: Set[str] = set()
        for target in node.targets:
            filled |= _assigned(target, node.value, put, carriers)
        return filled
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
        return _assigned(node.target, node.value, put, carriers)
    if isinstance(node, ast.NamedExpr):
        return _assigned(node.target, node.value, put, carriers)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _APPENDS
        and isinstance(node.func.value, ast.Name)
        and node.args
        and _carries(node.args[-1], put, carriers)
    ):
        return {node.func.value.id}
    return set()


def _assigned(target: ast.AST, value: ast.AST, put: ast.Call, carriers: Set[str]) -> Set[str]:
    """Names `target = value` fills with the ref; tuple targets are matched element by element."""
    if isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            filled: Set[str] = set()
            for element, part in zip(target.elts, value.elts):
                filled |= _assigned(element, part, put, carriers)
            return filled
        return set()
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        return {target.value.id} if _carries(value, put, carriers) else set()
    if isinstance(target, ast.Name) and _carries(value, put, carriers):
        return target_names(target)
    return set()


def _carries(expr: ast.AST, put: ast.Call, carriers: Set[str]) -> bool:
    """`expr` evaluates to the put's ref, or to a container holding it (not to something computed from it)."""
    if expr is put:
        return True
    if isinstance(expr, ast.Name):
        return expr.id in carriers
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return any(_carries(element, put, carriers) for element in expr.elts)
    if isinstance(expr, ast.Dict):
        return any(value is not None and _carries(value, put, carriers) for value in expr.values)
    if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return _carries(expr.elt, put, carriers)
    if isinstance(expr, ast.DictComp):
        return _carries(expr.value, put, carriers)
    if isinstance(expr, ast.IfExp):
        return _carries(expr.body, put, carriers) or _carries(expr.orelse, put, carriers)
    if isinstance(expr, (ast.Starred, ast.NamedExpr)):
        return _carries(expr.value, put, carriers)
    return False


def _body_nodes(function: ast.AST):
    """Every node of the function's own body, not of functions or classes nested in it."""
    for statement in function.body:
        yield from walk_local(statement)


RULE = TaskReturnsPutRef
