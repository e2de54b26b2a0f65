from __future__ import annotations

import ast
from typing import Optional, Set, Tuple

from raylint.semantics.analysis import CallSite, Scope, keyword_value
from raylint.fixers.fork_in_ray_process import plan_use_spawn_context, use_spawn_context
from raylint.rules.base import LazyFix, Rule

_STARTERS = {
    "multiprocessing.Pool": "Pool",
    "multiprocessing.Process": "Process",
    "multiprocessing.pool.Pool": "Pool",
}
_EXECUTORS = frozenset({"concurrent.futures.ProcessPoolExecutor", "concurrent.futures.process.ProcessPoolExecutor"})
_UNKNOWN = "unknown"
_FORKING_PACKAGES = frozenset({"os", "multiprocessing", "concurrent"})
# the last parts of the names `_fork` knows (`os.fork`, the starters, the executors, a context's Pool/Process)
_FORKING_CALLS = frozenset({"fork", "Pool", "Process"} | {qual.rsplit(".", 1)[-1] for qual in _STARTERS.keys() | _EXECUTORS})


class ForkInRayProcess(Rule):
    """
    ## What it does
    Checks for processes started by forking inside a Ray task or actor, or in the driver after `ray.init`
    in the same function: `os.fork()`, `multiprocessing.Pool(...)` and `multiprocessing.Process(...)`
    (also from a `get_context("fork")` context), and `concurrent.futures.ProcessPoolExecutor(...)` without
    an `mp_context` (or with a fork context).

    ## Why is this bad?
    A Ray worker, and a driver once `ray.init` has run, hold open connections to the raylet and the GCS
    and run Ray's own threads. A forked child inherits those sockets and shares them with its parent
    without any synchronisation, so messages from both processes interleave and corrupt each other;
    threads that held locks at the fork are gone in the child, which can deadlock. The failures are
    intermittent hangs and crashes far from the fork. `fork` is the default start method of
    `multiprocessing` on Linux before Python 3.14, so a bare `multiprocessing.Pool()` forks.

    The rule stays quiet on a `spawn` or `forkserver` context (`multiprocessing.get_context("spawn")`,
    `mp_context=...`, or `multiprocessing.set_start_method("spawn")` anywhere in the module),
    `subprocess.run` and friends (fork followed at once by exec of another program), thread pools
    (`ThreadPoolExecutor`, `multiprocessing.pool.ThreadPool`, `multiprocessing.dummy`), and driver code
    with no `ray.init` before it in the same function.

    Known problems: a pool created in a helper function that the driver calls after `ray.init` is not
    seen (the rule does not follow calls); neither are `multiprocessing.Manager`, subclasses of
    `Process`, or `torch.multiprocessing`. An `mp_context` or start method that is not a literal is
    assumed to be safe.

    ## Example
    ```python
    @ray.remote
    def featurize(paths):
        with multiprocessing.Pool(8) as pool:
            return pool.map(parse, paths)
    ```

    ## Use instead
    ```python
    @ray.remote
    def featurize(paths):
        with multiprocessing.get_context("spawn").Pool(8) as pool:
            return pool.map(parse, paths)

    # or let Ray parallelise: ray.get([parse_task.remote(p) for p in paths])
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    `multiprocessing.Pool(...)` and `multiprocessing.Process(...)` become
    `multiprocessing.get_context("spawn").Pool(...)` (or `.Process(...)`), and
    `ProcessPoolExecutor(...)` gains `mp_context=multiprocessing.get_context("spawn")`; `import
    multiprocessing` is added when the module does not have it. The fix is always **unsafe**: a spawned
    child starts a fresh interpreter and re-imports the main module, so the target function, its
    arguments and the pool initializer must be picklable and importable by name (no lambdas or nested
    functions), module-level state set up before the fork is not inherited, and each child starts more
    slowly.

    No fix for `os.fork()` (the code after it runs in both processes; it must be restructured by hand) or
    for an explicit fork context, which the author chose.

    ## Options
    None.

    ## References
    - [Anti-pattern: Forking new processes in application code](https://docs.ray.io/en/latest/ray-core/patterns/fork-new-processes.html)
    - [multiprocessing: contexts and start methods](https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)
    """

    code = "RAY110"
    name = "fork-in-ray-process"
    summary = "A process is forked inside a Ray task, an actor, or the driver after `ray.init`"
    fix_availability = "Sometimes"

    def run(self) -> None:
        if not self.analysis.names.imported_roots() & _FORKING_PACKAGES:
            return  # every way to fork this rule knows is a function of one of these
        self._tasks, self._actors = self._remote_bodies()
        self._default = self._default_start_method()
        for site in self.analysis.names.calls_of(*_FORKING_CALLS):
            found = self._fork(site)
            if found is None:
                continue
            where = self._where(site)
            if where is None:
                continue
            what, fixable = found
            message = (
                f"{what} forks {where}: the child shares the process's connections to the raylet and GCS and "
                f"corrupts them; start processes with a spawn context, or use Ray tasks"
            )
            fix = None
            if fixable:
                fix = LazyFix(build=lambda site=site: use_spawn_context(self.analysis, site),
                              plan=lambda site=site: plan_use_spawn_context(self.analysis, site))
            self.report(site.node, message, fix=fix)

    def _fork(self, site: CallSite) -> Optional[Tuple[str, bool]]:
        """What forks at this call and whether the spawn-context fix applies, or None when it does not fork."""
        names = self.analysis.names
        call, scope = site.node, site.scope
        qual = names.qualname(call.func, scope)
        if qual == "os.fork":
            return "`os.fork()`", False
        if qual in _STARTERS:
            return (f"`multiprocessing.{_STARTERS[qual]}`", True) if self._default == "fork" else None
        if qual in _EXECUTORS:
            if any(k.arg is None for k in call.keywords):
                return None
            context = keyword_value(call, "mp_context") or (call.args[1] if len(call.args) > 1 else None)
            if context is None:
                return ("`ProcessPoolExecutor`", True) if self._default == "fork" else None
            if self._method(context, scope) == "fork":
                return "`ProcessPoolExecutor` with a fork context", False
            return None
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ("Pool", "Process"):
            if self._method(func.value, scope) == "fork":
                return f"`{func.attr}` from a fork context", False
        return None

    def _method(self, context: ast.AST, scope: Scope) -> Optional[str]:
        """The start method of a `multiprocessing.get_context(...)` expression (or a name bound once to one):
        the literal, the module's default without an argument, "unknown" otherwise; None for anything else."""
        if isinstance(context, ast.Name):
            bindings = scope.lookup(context.id) or []
            if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].path:
                return None
            context, scope = bindings[0].value, bindings[0].scope
        if not isinstance(context, ast.Call):
            return None
        if self.analysis.names.qualname(context.func, scope) != "multiprocessing.get_context":
            return None
        if not context.args:
            return self._default
        method = context.args[0]
        return method.value if isinstance(method, ast.Constant) else _UNKNOWN

    def _default_start_method(self) -> str:
        """"fork" unless the module sets another start method (any non-literal counts as another)."""
        names = self.analysis.names
        for site in names.calls_of("set_start_method"):
            if names.qualname(site.node.func, site.scope) == "multiprocessing.set_start_method":
                method = site.node.args[0] if site.node.args else keyword_value(site.node, "method")
                if not (isinstance(method, ast.Constant) and method.value == "fork"):
                    return _UNKNOWN
        return "fork"

    def _where(self, site: CallSite) -> Optional[str]:
        """"inside a Ray task", "inside an actor", "in the driver after `ray.init`", or None."""
        scope: Optional[Scope] = site.scope
        while scope is not None:
            if id(scope.node) in self._actors:
                return "inside an actor"
            if id(scope.node) in self._tasks:
                return "inside a Ray task"
            scope = scope.parent
        return "in the driver after `ray.init`" if self._after_init(site) else None

    def _after_init(self, site: CallSite) -> bool:
        """The last `ray.init`/`ray.shutdown` before `site` in the same function (or at module level) is an init."""
        names = self.analysis.names
        position = (site.node.lineno, site.node.col_offset)
        last = None
        for other in names.ray_calls("init", "shutdown"):
            if other.function is not site.function or (other.node.lineno, other.node.col_offset) >= position:
                continue
            last = other
        return last is not None and names.call_is_ray(last, "init")

    def _remote_bodies(self) -> Tuple[Set[int], Set[int]]:
        """Ids of the task functions and of the actor classes defined in this module."""
        tasks, actors = set(), set()
        for remote in self.analysis.names.remote_definitions():
            if remote.node is not None:
                (actors if remote.is_actor else tasks).add(id(remote.node))
        return tasks, actors


RULE = ForkInRayProcess
