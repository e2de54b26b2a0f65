from __future__ import annotations

import ast
from typing import Dict, Optional, Set, Tuple

from raylint.semantics.analysis import Scope
from raylint.fixers.remote_redefined_in_loop import hoist_definition, plan_hoist_definition
from raylint.semantics.loops import runs_once, target_names
from raylint.rules.base import LazyFix, Rule


class RemoteRedefinedInLoop(Rule):
    """
    ## What it does
    Checks for a `@ray.remote` function or actor class, or a `ray.remote(fn)` call, that runs again and
    again: lexically inside a `for` or `while` loop, or inside a remote function or actor method, which
    runs once per task.

    ## Why is this bad?
    Each time a `@ray.remote` definition runs it makes a new remote function: Ray pickles it, stores it
    in the GCS, and every worker that runs it downloads and unpickles it again. Ray cannot tell two
    definitions of the same function apart, so a definition in a loop of N iterations exports N copies
    (Ray warns once a function has been exported 100 times), and a definition inside a task re-exports
    it from every task that runs.

    The rule stays quiet on definitions inside a function that is not in a loop (`main()`, or a factory
    called once), on loops that run once, on loops that call `ray.init` or `ray.shutdown` (each
    iteration starts a new cluster, which needs the definition again anyway), and on
    `ray.remote(fn)` over a loop variable (`[ray.remote(f) for f in funcs]` makes distinct functions).

    Known problems: a factory that defines a remote function and is itself called in a loop is not
    reported; the rule looks at one function at a time.

    ## Example
    ```python
    for batch in batches:
        @ray.remote(num_cpus=1)
        def score(x):
            return x * 2

        results.append(ray.get(score.remote(batch)))
    ```

    ## Use instead
    ```python
    @ray.remote(num_cpus=1)
    def score(x):
        return x * 2


    for batch in batches:
        results.append(ray.get(score.remote(batch)))
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    The fix moves a decorated `def` or `class` to module level, just above the top-level statement that
    held it. It is offered only when the definition reads no local of the enclosing functions (no
    closure, no loop variable, no `self`), its name is bound nowhere else in its scope nor at module
    level, and its decorators, defaults and bases are plain expressions evaluated the same once as on
    every iteration. It is safe when every other name the definition reads is an import, a module-level
    constant, or a module-level `def`/`class` whose attributes nothing assigns and whose own globals are
    safe in the same way, and no function rebinds any of them through `global`; otherwise it is unsafe: Ray pickles a function's globals
    when it first exports it, so a hoisted definition sees a global's value from its first use instead
    of from each iteration.

    No fix for `ray.remote(fn)` calls, definitions in class bodies, and definitions that read locals of
    the enclosing functions: passing those as arguments instead changes every call site.

    ## Options
    None.

    ## References
    - [Anti-pattern: Redefining the same remote function or class harms performance](https://docs.ray.io/en/latest/ray-core/patterns/redefine-task-actor-loop.html)
    """

    code = "RAY102"
    name = "remote-redefined-in-loop"
    summary = "Remote function or actor defined in a loop or inside a task"
    options: dict = {}
    fix_availability = "Sometimes"

    def run(self) -> None:
        self._callers: Optional[Dict[int, ast.Call]] = None
        self._restarting: Optional[Set[int]] = None
        names = self.analysis.names
        for remote in names.remote_definitions():
            decorated = remote.node is not None and remote.report_node in remote.node.decorator_list
            if decorated:  # where the def statement is, or the outermost `ray.remote(...)(...)` call
                anchor = remote.node
                place = self.analysis.walk.definition_of(anchor)
            else:
                anchor = self._outer_call(remote.report_node)
                place = self.analysis.walk.sites_by_node()[id(anchor)]
            scope, loops = place.scope, place.loops
            if not decorated and _over_loop_variable(anchor, loops):
                continue
            where = self._where(scope, loops)
            if where is None:
                continue
            kind = _kind(remote)
            if where == "loop":
                message = (f"{kind} defined inside a loop: every iteration makes a new one that Ray pickles and "
                           f"exports again; define it once at module level")
            else:
                article = "an" if where[0] in "aeiou" else "a"
                message = (f"{kind} defined inside {article} {where}: every call defines and exports it again; define it "
                           f"once at module level")
            fix = None
            if decorated:
                fix = LazyFix(build=lambda remote=remote: hoist_definition(self.analysis, remote),
                              plan=lambda remote=remote: plan_hoist_definition(self.analysis, remote))
            self.report(remote.report_node, message, fix=fix)

    def _outer_call(self, report_node: ast.AST) -> ast.AST:
        """`ray.remote(num_cpus=1)(fn)` reports at the inner call; its place is the outer one's."""
        if self._callers is None:
            # id(callee expression) -> the first call of it, so each definition looks its call up at once
            self._callers = {}
            for site in self.analysis.walk.calls:
                self._callers.setdefault(id(site.node.func), site.node)
        return self._callers.get(id(report_node), report_node)

    def _where(self, scope: Scope, loops: Tuple) -> Optional[str]:
        """"loop", "task" or "actor method" when the definition runs repeatedly, else None."""
        loops = [loop for loop in loops if loop.kind != "map" and not runs_once(loop)]
        if loops and not any(self._restarts_ray(loop) for loop in loops):
            return "loop"
        while scope is not None:
            if scope.kind == "function":
                remote = self.analysis.names.task_code(scope.node)
                if remote is not None:
                    return "actor method" if remote.is_actor else "task"
            scope = scope.parent
        return None

    def _restarts_ray(self, loop) -> bool:
        """The loop calls `ray.init` or `ray.shutdown`: each iteration talks to a new cluster."""
        if self._restarting is None:
            # ids of the loops around any `ray.init` or `ray.shutdown`, found in one pass over the calls
            names = self.analysis.names
            self._restarting = {
                id(frame.node)
                for site in names.ray_calls("init", "shutdown")
                for frame in site.loops
            }
        return id(loop.node) in self._restarting


def _kind(remote) -> str:
    """Name what is made remote; `ray.remote(X)` with X imported and unseen may be either."""
    if remote.is_actor:
        return "actor class"
    if remote.node is None:
        return "remote function or actor class"
    return "remote function"


def _over_loop_variable(call: ast.Call, loops: Tuple) -> bool:
    """`ray.remote(f)` where `f` is a loop target: one remote function per distinct `f`."""
    targets = set()
    for loop in loops:
        if loop.target is not None:
            targets |= target_names(loop.target)
    return bool(call.args) and isinstance(call.args[0], ast.Name) and call.args[0].id in targets


RULE = RemoteRedefinedInLoop
