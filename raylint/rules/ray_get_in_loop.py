from __future__ import annotations

import ast
import re
from typing import Optional

from raylint.analysis import CallSite
from raylint.loops import names_read, runs_once, target_names, walk_local
from raylint.analysis import keyword_value
from raylint.rules.base import Rule

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
    No fix is offered yet; the rewrite (one `ray.get` over a list of refs) arrives with `raylint fix`.

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

    def run(self) -> None:
        names = self.analysis.names
        if not names.imports_ray:
            return
        for site in self.analysis.walk.calls:
            if not site.loops or not names.call_is_ray(site, "get"):
                continue
            message = self._finding(site)
            if message is not None:
                self.report(site.node, message)

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
