from __future__ import annotations

import ast
from typing import Optional, Set

from raylint.semantics.analysis import Loop, Scope
from raylint.semantics.loops import runs_once, walk_local
from raylint.rules.base import Rule

# Iterables that never end, or whose end the program does not know.
_ENDLESS = frozenset({"itertools.count", "itertools.cycle", "sys.stdin"})
_STREAM_CLIENTS = ("kafka.KafkaConsumer",)


class UnboundedPendingSubmissions(Rule):
    """
    ## What it does
    Checks for a task or actor call submitted on every iteration of an endless loop (`while True:`) or
    of a loop over a stream of unknown length: a generator function of this module,
    `itertools.count()`/`cycle()`/`repeat(x)`, `iter(callable, sentinel)`, `sys.stdin` or a
    `kafka.KafkaConsumer`, when the loop has no `ray.wait` or `ray.get`.

    ## Why is this bad?
    `.remote()` returns at once, so such a loop submits as fast as the stream produces items, however
    slowly the cluster works through them. Every pending task keeps its arguments and its entry in the
    owner's queue, so memory grows until the driver or the object store runs out. Ray only warns, at
    5,000 pending calls to one actor and at each doubling after.

    The rule stays quiet when the loop calls `ray.wait` or `ray.get` (which bound what is in flight),
    in `async` loops that `await` anything, on loops that run once, and on loops over lists, ranges,
    files and other iterables whose length is fixed or unknown but bounded.

    Known problems: backpressure applied in a helper the loop calls, or by a bounded queue, is not
    seen. This is a preview rule: its precision on real code is not yet shown.

    ## Example
    ```python
    for event in read_events(stream):
        handle.remote(event)
    ```

    ## Use instead
    ```python
    in_flight = []
    for event in read_events(stream):
        if len(in_flight) >= 100:
            ready, in_flight = ray.wait(in_flight, num_returns=1)
            ray.get(ready)
        in_flight.append(handle.remote(event))
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    No fix: the window size depends on task sizes and memory, and what to do with finished results is
    the program's choice. Keep at most N refs in flight with `ray.wait`, as above.

    ## Options
    None.

    ## References
    - [Pattern: Using ray.wait to limit the number of pending tasks](https://docs.ray.io/en/latest/ray-core/patterns/limit-pending-tasks.html)
    """

    code = "RAY111"
    name = "unbounded-pending-submissions"
    summary = "Unbounded stream of submissions without `ray.wait` backpressure"
    default_enabled = False
    preview = True

    def run(self) -> None:
        names = self.analysis.names
        waiting = names.ray_calls("wait", "get")
        for site, _ in names.submissions():
            if not site.loops:
                continue
            for loop in site.loops:
                stream = self._stream(loop, site.scope)
                if stream is None or runs_once(loop) or self._bounded(loop, waiting):
                    continue
                self.report(
                    site.node,
                    f"A task is submitted on every iteration of {stream} with no `ray.wait`: pending tasks pile "
                    f"up without limit; keep at most N refs in flight with `ray.wait`",
                )
                break

    def _stream(self, loop: Loop, scope: Scope) -> Optional[str]:
        """How to name an endless or unknown-length loop, or None for any other loop."""
        node = loop.node
        if loop.kind == "while":
            test = node.test
            return "`while True`" if isinstance(test, ast.Constant) and test.value in (True, 1) else None
        if loop.kind != "for":
            return None
        return self._endless_iterable(loop.iter, scope, set())

    def _endless_iterable(self, iterable: ast.AST, scope: Scope, seen: Set[str]) -> Optional[str]:
        names = self.analysis.names
        if isinstance(iterable, ast.Name) and iterable.id not in seen:
            bindings = scope.lookup(iterable.id) or []
            if len(bindings) == 1 and bindings[0].kind == "assign" and not bindings[0].path:
                return self._endless_iterable(bindings[0].value, bindings[0].scope, seen | {iterable.id})
        qual = names.qualname(iterable, scope)
        if qual in _ENDLESS:
            return f"a loop over `{qual}`"
        if not isinstance(iterable, ast.Call):
            return None
        qual = names.qualname(iterable.func, scope)
        if qual in _ENDLESS or (qual == "itertools.repeat" and len(iterable.args) == 1 and not iterable.keywords):
            return f"a loop over `{qual}()`"
        if qual == "builtins.iter" and len(iterable.args) == 2:
            return "a loop over `iter(callable, sentinel)`"
        if qual in _STREAM_CLIENTS:
            return f"a loop over a `{qual}`"
        callee = names.value(iterable.func, scope)
        if callee is not None and callee.tag == "func" and _is_generator(callee.node):
            return f"a loop over the generator `{callee.node.name}()`"
        return None

    @staticmethod
    def _bounded(loop: Loop, waiting) -> bool:
        """The loop waits for results (`ray.wait`/`ray.get`), or awaits something, on its iterations."""
        if any(loop in site.loops for site in waiting):
            return True
        return any(isinstance(node, ast.Await) for part in loop.node.body for node in walk_local(part))


def _is_generator(function: ast.AST) -> bool:
    return isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
        isinstance(node, (ast.Yield, ast.YieldFrom)) for part in function.body for node in walk_local(part)
    )


RULE = UnboundedPendingSubmissions
