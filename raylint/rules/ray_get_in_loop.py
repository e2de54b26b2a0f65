from __future__ import annotations

import ast
import re
from typing import Optional

from raylint.analysis import CallSite
from raylint.fixers.ray_get_in_loop import batch_gets, plan_batch_gets
from raylint.loops import names_read, runs_once, target_names, walk_local
from raylint.analysis import keyword_value
from raylint.rules.base import LazyFix, Rule

# Parameters named like this almost always hold ObjectRefs, even when their origin is out of sight.
_REF_LIKE_NAME = re.compile(r"(^|_)(refs|object_refs|obj_refs|futures)$")


class RayGetInLoop(Rule):
    """
    ## What it does
    Checks for `ray.get` called on one element per iteration of a loop or comprehension: either on a
    task submitted in the same iteration (`ray.get(f.remote(x))`), or on refs fetched one at a time
    (`for r in refs: ray.get(r)`, `[ray.get(r) for r in refs]`, `ray.get(refs[i])`).

    ## Why is this bad?
    `ray.get` blocks until its objects are ready. When a loop submits a task and waits for it in the
    same iteration, the next task is not even submitted until the previous one has finished, so the
    work runs serially plus Ray's overhead: Ray's own tips show four one-second tasks taking four
    seconds this way and one second with a single `ray.get(list)`. Fetching already-submitted refs one
    at a time is milder but still costs a round trip per element and processes results in submission
    order, so one slow early task delays all later ones. A per-element `timeout=` does not bound the
    total wait: the timeouts add up.

    The rule stays quiet on `ray.wait`-driven loops, streaming and dynamic generator refs, refs that do
    not change between iterations (retry and poll loops), one batched `ray.get(list)` per iteration,
    iterations that need the previous iteration's result, `ray.get` in the iterable of a `for`, and
    loops that run once.

    ## Example
    ```python
    results = [ray.get(square.remote(x)) for x in range(100)]

    for ref in refs:
        total += ray.get(ref)
    ```

    ## Use instead
    ```python
    results = ray.get([square.remote(x) for x in range(100)])

    total += sum(ray.get(list(refs)))

    # or, to handle results as they finish:
    pending = list(refs)
    while pending:
        ready, pending = ray.wait(pending)
        total += ray.get(ready[0])
    ```

    ## Fix safety
    A fix is offered only when the `ray.get` has exactly one positional argument (no `timeout`) and is
    the whole element of a comprehension or the whole value in a one-statement `for` body:

    - List and set comprehensions: `[ray.get(f.remote(x)) for x in xs]` becomes
      `ray.get([f.remote(x) for x in xs])`, a set comprehension `set(ray.get([...]))`, and
      `[ray.get(r) for r in refs]` becomes `ray.get(list(refs))` (`ray.get` rejects tuples and
      generators). Safe.
    - Generator expressions passed to `sum`, `max`, `min`, `sorted`, `list`, `tuple`, `set`,
      `frozenset`, `dict` or `str.join`, which consume them at once: `sum(ray.get(f.remote(x)) for x in
      xs)` becomes `sum(ray.get([f.remote(x) for x in xs]))`. Safe. Passed to `any` or `all`, which may
      stop early: unsafe, every task now runs. Any other generator is lazy and gets no fix.
    - A `for` statement whose whole body is `out.append(ray.get(...))` becomes
      `out.extend(ray.get([...]))`; one whose body is `ray.get(...)` becomes `ray.get([...])`; one whose
      body is `d[k] = ray.get(...)` becomes a dict of refs, `d_refs = {k: f.remote(k) for k in keys}`,
      then `d.update(zip(d_refs, ray.get(list(d_refs.values()))))`. The dict of refs evaluates the
      iterable once, so it is also right when the iterable is an iterator, which
      `zip(keys, ray.get([... for k in keys]))` would find already consumed. Safe when `out` is known
      to be a list (or deque) and `d` a dict, the loop has no `else`, the loop variable is not read
      outside the loop (a `for` leaves it bound, a comprehension does not), and the key is a name, a
      constant or a tuple of them. Otherwise unsafe: an `else` block moves after the new code, and a
      computed key is evaluated before its task is submitted.

    Even a safe fix changes this much: every task is submitted even if an early one fails (the loop
    would have stopped at the first error), all results are held in memory at once, tasks that mutate
    a shared actor may interleave differently, and the keyed form's dict of refs stays bound until the
    function returns.

    No fix for loops with any other statement (a print, `try`, `break`, `continue`, `return`),
    `while` and `async for` loops, code in coroutines, timeouts, dict comprehensions, a `ray.get`
    nested inside a larger element, loops in class bodies, and tasks whose arguments read the
    collection being filled.

    ## Options
    None.

    ## References
    - [Anti-pattern: Calling ray.get in a loop harms parallelism](https://docs.ray.io/en/latest/ray-core/patterns/ray-get-loop.html)
    - [Anti-pattern: Processing results in submission order using ray.get increases runtime](https://docs.ray.io/en/latest/ray-core/patterns/ray-get-submission-order.html)
    """

    code = "RAY001"
    name = "ray-get-in-loop"
    summary = "`ray.get` called on one element per loop iteration"
    options: dict = {}
    fix_availability = "Sometimes"

    def run(self) -> None:
        names = self.analysis.names
        for site in self.analysis.walk.calls:
            if not site.loops or not names.call_is_ray(site, "get"):
                continue
            message = self._finding(site)
            if message is not None:
                fix = LazyFix(build=lambda site=site: batch_gets(self.analysis, site),
                              plan=lambda site=site: plan_batch_gets(self.analysis, site))
                self.report(site.node, message, fix=fix)

    def _finding(self, site: CallSite) -> Optional[str]:
        call = site.node
        argument = call.args[0] if call.args else keyword_value(call, "object_refs")
        if argument is None or isinstance(argument, ast.Starred):
            return None
        loops = [loop for loop in site.loops if not runs_once(loop)]
        if not loops:
            return None
        submission = self._submission(argument, loops)
        if submission is not None:
            if not self.analysis.loops.depends_on(submission, loops) or self._carried(submission, loops, site):
                return None
            return (
                "`ray.get` waits for each task right after submitting it, so the tasks run one at a time; "
                "submit them all, then call `ray.get` once on the list of refs"
            )
        if not self._is_single_ref(argument, site, loops):
            return None
        if keyword_value(call, "timeout") is not None:
            return (
                "`ray.get` with a per-element `timeout` inside a loop: the timeouts add up and results are "
                "handled in submission order; use `ray.wait` with one overall timeout"
            )
        return (
            "`ray.get` fetches one ref per loop iteration, handling results in submission order; "
            "call `ray.get` once on all refs, or use `ray.wait` to process them as they finish"
        )

    def _submission(self, argument: ast.AST, loops) -> Optional[ast.Call]:
        """The `X.remote(...)` call whose ref `ray.get` waits for: the argument itself, or the value of a
        name assigned once in the loop body (`ref = f.remote(x); ray.get(ref)`). Inside `ray.get`, any
        `X.remote(...)` is a Ray submission, whatever X is."""
        if _is_remote_call(argument):
            return argument
        if isinstance(argument, ast.Name):
            for loop in loops:
                assigned = self.analysis.loops.assignments(loop).get(argument.id, [])
                if len(assigned) == 1 and _is_remote_call(assigned[0][0]):
                    return assigned[0][0]
        return None

    def _is_single_ref(self, argument: ast.AST, site: CallSite, loops) -> bool:
        """A single ObjectRef taken from a collection, one per iteration: a loop target, or `refs[i]`."""
        if isinstance(argument, ast.Name):
            if not any(argument.id in target_names(loop.target) for loop in loops if loop.target is not None):
                return False
        elif isinstance(argument, ast.Subscript):
            if not self.analysis.loops.depends_on(argument.slice, loops):
                return False
        else:
            return False
        value = self.analysis.names.value_in_loops(argument, site.scope, site.loops)
        if value is not None:
            return value.tag == "ref" and value.origin in ("task", "put")
        return self._ref_like_parameter(argument, site, loops)

    @staticmethod
    def _ref_like_parameter(argument: ast.AST, site: CallSite, loops) -> bool:
        """`for r in refs` where `refs` is a parameter named like a list of refs."""
        if not isinstance(argument, ast.Name):
            return False
        for loop in loops:
            target, iterable = loop.target, loop.iter
            if isinstance(target, ast.Name) and target.id == argument.id and isinstance(iterable, ast.Name):
                bindings = site.scope.lookup(iterable.id) or []
                return all(b.kind == "param" for b in bindings) and bool(_REF_LIKE_NAME.search(iterable.id))
        return False

    def _carried(self, submission: ast.AST, loops, site: CallSite) -> bool:
        """True when the submission reads a Ray result from an earlier iteration (a synchronous training
        step, an iterative solver): such a loop cannot submit everything up front. A name is carried when
        the loop body reads it before (or while) assigning it a Ray result."""
        for loop in loops:
            assignments = self.analysis.loops.assignments(loop)
            reads = self.analysis.loops.reads(loop)
            carried = set()
            for name, values in assignments.items():
                ends = [
                    (statement.end_lineno, statement.end_col_offset)
                    for value, statement in values
                    if self._ray_result(value, site)
                ]
                if ends and any(position <= max(ends) for position in reads.get(name, ())):
                    carried.add(name)
            changed = bool(carried)
            while changed:
                changed = False
                for name, values in assignments.items():
                    if name not in carried and any(names_read(value) & carried for value, _ in values):
                        carried.add(name)
                        changed = True
            if names_read(submission) & carried:
                return True
        return False

    def _ray_result(self, expr: ast.AST, site: CallSite) -> bool:
        """`expr` holds the result of Ray work: a `ray.get(...)` or a `.remote(...)` ref."""
        names = self.analysis.names
        return any(
            isinstance(node, ast.Call) and (_is_remote_call(node) or names.is_ray(node.func, site.scope, "get"))
            for node in walk_local(expr)
        )


def _is_remote_call(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"


RULE = RayGetInLoop
