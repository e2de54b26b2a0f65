from __future__ import annotations

import ast
from typing import Optional

from raylint.semantics.analysis import CallSite
from raylint.semantics.cost import is_trivial
from raylint.fixers.tiny_task_fanout import batch_fanout, plan_batch_fanout
from raylint.rules.base import LazyFix, Option, Rule


class TinyTaskFanout(Rule):
    """
    ## What it does
    Checks for one Ray submission per element of a big iterable (a loop, comprehension or
    `map(lambda ...)` whose constant-folded trip count is at least `min-tasks`) when the remote function
    or actor method does almost nothing: one expression or a couple of simple statements, with no loops
    over data, no I/O and no real sleep.

    ## Why is this bad?
    Every task costs scheduling, inter-process communication and bookkeeping: about half a millisecond
    on a laptop, more across nodes, plus an ObjectRef per result kept by the driver. When the function
    itself takes microseconds the overhead dominates: Ray's own example runs 100,000 tiny tasks in about
    27 s, against 13 s serially and 3 s when batched. Ray does not warn about this at run time.

    The rule stays quiet on already-batched submissions, small fan-outs, heavy callees, iterables of
    unknown size, and remote functions whose body it cannot see (imported from outside the checked files).

    ## Example
    ```python
    @ray.remote
    def double(x):
        return x * 2

    refs = [double.remote(i) for i in range(100_000)]
    ```

    ## Use instead
    ```python
    @ray.remote
    def double_batch(chunk):
        return [x * 2 for x in chunk]

    values = range(100_000)
    chunks = [values[i:i + 10_000] for i in range(0, len(values), 10_000)]
    refs = [double_batch.remote(chunk) for chunk in chunks]
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    The fix is always **unsafe**. It adds, next to the task, a chunk-size constant
    (`DOUBLE_CHUNK_SIZE = 10_000`) and a batched task with the same options (`double_batch`), submits one
    task per chunk and flattens the results back, so the `ray.get` still gives one value per element, in
    order. When the fan-out is the task's only use the analysis can see (nothing else in the module
    names it, and it is local, private, or in a script), the task itself becomes the plain function the
    batch calls; otherwise a plain copy (`double_py`) is added and the task stays for its other callers
    (and is removed once the last of them is fixed). What changes: the chunk size is a judgement (10,000 elements
    give a microsecond-sized function about 10 ms of work per task, against about 1 ms of overhead; aim
    for 10-100 ms per task and a few tasks per CPU); one failing element now fails, and retries, its
    whole chunk; and elements travel inside a list, so an element that is an ObjectRef is no longer
    resolved to its value. The fix is offered only for a one-clause comprehension or an append loop
    whose element is the first argument of a task defined in the module (no other decorator, one
    return value), when the list of refs goes to a single `ray.get` and nowhere else. Actor fan-out,
    `map(lambda ...)`, nested loops, filtered comprehensions and refs used one by one (`ray.wait`,
    other tasks, indexing) get no fix.

    ## Options
    - `min-tasks` (default 10000): the trip count from which a fan-out is reported.

    ## References
    - [Anti-pattern: Over-parallelizing with too fine-grained tasks harms speedup](https://docs.ray.io/en/latest/ray-core/patterns/too-fine-grained-tasks.html)
    - [Tips for first-time users, tip 2](https://docs.ray.io/en/latest/ray-core/tips-for-first-time.html)
    """

    code = "RAY004"
    name = "tiny-task-fanout"
    summary = "One tiny task per element of a big iterable"
    fix_availability = "Sometimes"
    options = {"min-tasks": Option("min-tasks", 10000, "Trip count from which a fan-out is reported")}

    def run(self) -> None:
        names = self.analysis.names
        for site, _ in names.submissions():
            if not site.loops:
                continue
            trips = self._trip_count(site)
            if trips is None or trips < self.settings["min-tasks"]:
                continue
            if _is_batched(site.node):
                continue
            described = self._trivial_callee(site)
            if described is None:
                continue
            self.report(
                site.node,
                f"{trips:,} submissions of {described}, which does almost nothing: per-task overhead "
                f"dominates; batch the elements into chunks, one task per chunk",
                fix=LazyFix(build=lambda site=site: batch_fanout(self.analysis, site),
                            plan=lambda site=site: plan_batch_fanout(self.analysis, site)),
            )

    def _trip_count(self, site: CallSite) -> Optional[int]:
        total = 1
        for loop in site.loops:
            count = self.analysis.estimate.trip_count(loop, site.scope)
            if count is None:
                return None
            total *= count
        return total

    def _trivial_callee(self, site: CallSite) -> Optional[str]:
        """A description of the callee when its body is trivial, else None."""
        target = self.analysis.names.submission_target(site.node.func.value, site.scope)
        if target is None:
            return None
        remote, method, _options = target
        if remote is None:
            return None
        if remote.summary is not None:
            summary = remote.summary
            if method is None:
                return f"`{remote.name}`" if summary.trivial else None
            return f"`{remote.name}.{method}`" if method in summary.trivial_methods else None
        node = remote.node
        if node is None:
            return None
        if method is None:
            if remote.is_actor:
                return None
            return f"`{remote.name}`" if self._trivial(node) else None
        for item in getattr(node, "body", ()):
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method:
                return f"`{remote.name}.{method}`" if self._trivial(item) else None
        return None

    def _trivial(self, function: ast.AST) -> bool:
        return is_trivial(function, self.analysis.names, self.analysis.walk.scopes.get(id(function)))


def _is_batched(call: ast.Call) -> bool:
    """An argument that is a slice (`xs[i:i + B]`) means each task already gets a chunk."""
    arguments = list(call.args) + [k.value for k in call.keywords]
    return any(isinstance(a, ast.Subscript) and isinstance(a.slice, ast.Slice) for a in arguments)


RULE = TinyTaskFanout
