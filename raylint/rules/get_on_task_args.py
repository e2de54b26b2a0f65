from __future__ import annotations

import ast
from typing import Optional

from raylint.semantics.analysis import CallSite, keyword_value
from raylint.fixers.get_on_task_args import plan_spread_refs, spread_refs
from raylint.rules.base import LazyFix, Rule


class GetOnTaskArgs(Rule):
    """
    ## What it does
    Checks for `ray.get` inside a remote function or actor method on one of its parameters: the
    parameter itself (`ray.get(refs)`), an element of it (`ray.get(refs[i])`), or a loop variable over
    it (`for r in refs: ray.get(r)`). Such a parameter holds refs nested in a list (or another
    container), which Ray passes on as refs instead of resolving them.

    ## Why is this bad?
    Ray resolves the refs passed as top-level arguments before a task starts, while the task waits in
    the queue without holding a worker. Refs inside a list are passed as they are, so the task starts,
    takes a worker, and then blocks in `ray.get` while its inputs are produced and fetched. Ray lends
    the blocked worker's CPU to other tasks to avoid a deadlock, but the process and its memory stay in
    use, and Ray starts extra worker processes to run the tasks it unblocked (the "worker processes
    have been started ... tasks blocked in ray.get()" warning).

    The rule stays quiet on refs created inside the task (the nested-tasks and divide-and-conquer
    patterns), on calls on actor handles passed as arguments (`ray.get(counter.get.remote())`), and on
    parameters the task also passes to `ray.wait`, which chooses which refs to fetch and when (the
    documented reason to pass refs nested).

    Known problems: a parameter that is itself a single ref (wrapped by the caller, or returned by
    another task as a `ray.put` ref) is reported too; so is a task that fetches only one of many refs it
    is given, which can be deliberate.

    ## Example
    ```python
    @ray.remote(num_cpus=1)
    def total(refs):
        return sum(ray.get(refs))

    total.remote([square.remote(x) for x in range(10)])
    ```

    ## Use instead
    ```python
    @ray.remote(num_cpus=1)
    def total(*values):
        return sum(values)

    total.remote(*[square.remote(x) for x in range(10)])
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    When the parameter is the last positional one, has no default, is read only by that `ray.get`, and
    every call in the module is a plain `f.remote(..., <list of refs>)`, the fix makes it `*refs`,
    replaces `ray.get(refs)` with `list(refs)`, and spreads the list at every call site
    (`f.remote(..., *refs)`). It is unsafe: the signature changes, so callers in other modules break,
    and the task now starts only once every input is ready. It is offered only for a task whose name is
    private (`_total`) or in a script (a module with an `if __name__ == "__main__":` block), where the
    calls in the module are likely all there are.

    No fix for elements or loop variables (`ray.get(refs[i])`), actor methods, tasks called through
    `.options(...)` or passed around by name, and calls whose argument raylint cannot tell is a list
    of refs.

    ## Options
    None.

    ## References
    - [Anti-pattern: Calling ray.get on task arguments harms performance](https://docs.ray.io/en/latest/ray-core/patterns/nested-ray-get.html)
    - [Passing object arguments](https://docs.ray.io/en/latest/ray-core/objects.html#passing-object-arguments)
    """

    code = "RAY104"
    name = "get-on-task-args"
    summary = "`ray.get` on ObjectRefs passed inside a task argument"
    options: dict = {}
    fix_availability = "Sometimes"

    def run(self) -> None:
        names = self.analysis.names
        waited = self._waited_parameters()
        for site in names.ray_calls("get"):
            remote = names.task_code(site.function)
            if remote is None:
                continue
            argument = site.node.args[0] if site.node.args else keyword_value(site.node, "object_refs")
            parameter = self._parameter(argument, site, remote.is_actor) if argument is not None else None
            if parameter is None or (id(site.function), parameter) in waited:
                continue
            where = "actor method" if remote.is_actor else "task"
            self.report(
                site.node,
                f"`ray.get` on the {where} argument `{parameter}`: the worker blocks while those objects are "
                f"produced and fetched; pass the refs as top-level arguments (`f.remote(*refs)`) so Ray resolves "
                f"them before the task starts",
                fix=LazyFix(build=lambda site=site, remote=remote: spread_refs(self.analysis, site, remote),
                            plan=lambda site=site, remote=remote: plan_spread_refs(self.analysis, site, remote))
                if isinstance(argument, ast.Name) and argument.id == parameter else None,
            )

    def _parameter(self, argument: ast.AST, site: CallSite, is_method: bool) -> Optional[str]:
        """The parameter whose refs `ray.get` fetches: `p`, `p[i]`, or a loop variable over `p`."""
        if isinstance(argument, ast.Subscript):
            argument = argument.value
        if not isinstance(argument, ast.Name):
            return None
        if self._is_parameter(argument.id, site, is_method):
            return argument.id
        for loop in site.loops:
            target, iterable = loop.target, loop.iter
            if (
                isinstance(target, ast.Name)
                and target.id == argument.id
                and isinstance(iterable, ast.Name)
                and self._is_parameter(iterable.id, site, is_method)
            ):
                return iterable.id
        return None

    @staticmethod
    def _is_parameter(name: str, site: CallSite, is_method: bool) -> bool:
        """A positional or keyword parameter of the task never reassigned (not `self`, `*args`, `**kwargs`)."""
        bindings = site.scope.lookup(name) or []
        function = site.function
        arguments = function.args
        ordinary = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs][1 if is_method else 0:]
        return bool(bindings) and all(b.kind == "param" and any(b.node is a for a in ordinary) for b in bindings)

    def _waited_parameters(self):
        """(task, parameter) pairs where the task passes the parameter to `ray.wait`."""
        names = self.analysis.names
        found = set()
        for site in names.ray_calls("wait"):
            if site.node.args and isinstance(site.node.args[0], ast.Name):
                found.add((id(site.function), site.node.args[0].id))
        return found


RULE = GetOnTaskArgs
