from __future__ import annotations

import ast

from raylint.semantics.analysis import CallSite, keyword_value
from raylint.fixers.blocking_get_in_async import await_refs, plan_await_refs
from raylint.rules.base import LazyFix, Rule


class BlockingGetInAsync(Rule):
    """
    ## What it does
    Checks for `ray.get` and `ray.wait` called in a coroutine: code whose nearest enclosing function is
    an `async def`, such as a method of an async actor or an async Ray Serve handler.

    ## Why is this bad?
    `ray.get` and `ray.wait` block the thread until the objects are ready, and a coroutine runs on the
    event loop's thread: while it waits, nothing else on that loop runs. In an async actor every other
    call the actor could be serving concurrently stalls too, so the actor handles one request at a time
    for as long as the slowest task it waits for. An `ObjectRef` is awaitable: `await ref` suspends only
    this coroutine.

    The rule stays quiet on `ray.get` passed as a value to run in a thread
    (`await asyncio.to_thread(ray.get, ref)`, `loop.run_in_executor(None, ray.get, ref)`, or a lambda
    or nested plain function doing the same), on polls with `timeout=0`, which return at once, and on a
    `ray.get` of the ready refs a `ray.wait` returned.

    Known problems: synchronous methods of an actor that also has `async def` methods run on the same
    event loop (ray-project/ray#44454) and block it just as much; the rule does not report them.

    ## Example
    ```python
    @ray.remote
    class Gateway:
        async def handle(self, x):
            ref = model.predict.remote(x)
            return ray.get(ref)
    ```

    ## Use instead
    ```python
    @ray.remote
    class Gateway:
        async def handle(self, x):
            ref = model.predict.remote(x)
            return await ref
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    `ray.get(ref)` on one ref becomes `await ref`, and `ray.get(refs)` on a list of refs becomes
    `await asyncio.gather(*refs)` (adding `import asyncio` when the module lacks it). Both are safe: the
    coroutine gets the same values, in the same order, and raises the same task errors. The fix is
    unsafe when the coroutine uses state shared between calls (`self.x`, a module variable, a
    `global` or `nonlocal` name)
    after the `ray.get` (anywhere, inside a loop): the blocking get kept the actor's other calls out, an
    `await` lets them run in between. A write after it then happens in another order or loses updates
    (`cur = self.total` ... `self.total = cur + v`), and a read after it may see another call's change
    (when any other method, or this one, writes the instance's state).

    With a `timeout=` the fix is unsafe: the wait becomes `asyncio.wait_for(..., timeout=...)`, which
    raises `asyncio.TimeoutError` instead of `ray.exceptions.GetTimeoutError`.

    No fix for `ray.wait` (`asyncio.wait` returns sets of futures, not the ready and pending lists of
    refs), when raylint cannot tell a single ref from a list (a parameter, a ref of a task with several
    return values, which `await` cannot fetch), inside a generator expression (an `await` there makes an async generator) or a class
    body, and when `ray.get` has other keywords or `*args`.

    ## Options
    None.

    ## References
    - [AsyncIO / Concurrency for Actors](https://docs.ray.io/en/latest/ray-core/actors/async_api.html)
    - [`ray.get`](https://docs.ray.io/en/latest/ray-core/api/doc/ray.get.html)
    """

    code = "RAY101"
    name = "blocking-get-in-async"
    summary = "Blocking `ray.get`/`ray.wait` inside a coroutine"
    options: dict = {}
    fix_availability = "Sometimes"

    def run(self) -> None:
        names = self.analysis.names
        for site in names.ray_calls("get", "wait"):
            if not isinstance(site.function, ast.AsyncFunctionDef) or _polls(site.node):
                continue
            if names.call_is_ray(site, "get"):
                if self._already_ready(site):
                    continue
                self.report(
                    site.node,
                    "`ray.get` in a coroutine blocks the event loop: nothing else on it runs until the objects "
                    "are ready; `await` the ref (or `asyncio.gather` the refs) instead",
                    fix=LazyFix(build=lambda site=site: await_refs(self.analysis, site),
                                plan=lambda site=site: plan_await_refs(self.analysis, site)),
                )
            elif names.call_is_ray(site, "wait"):
                self.report(
                    site.node,
                    "`ray.wait` in a coroutine blocks the event loop: nothing else on it runs until the refs "
                    "are ready; use `asyncio.wait` on the refs instead",
                )

    def _already_ready(self, site: CallSite) -> bool:
        """`ray.get(ready)` where `ready` came out of `ray.wait`: the wait, if any, was reported there."""
        argument = site.node.args[0] if site.node.args else keyword_value(site.node, "object_refs")
        if argument is None:
            return False
        value = self.analysis.names.value_in_loops(argument, site.scope, site.loops)
        return value is not None and value.tag == "waited"


def _polls(call: ast.Call) -> bool:
    """`timeout=0`: the call returns at once, it never blocks."""
    timeout = keyword_value(call, "timeout")
    return isinstance(timeout, ast.Constant) and timeout.value == 0 and not isinstance(timeout.value, bool)


RULE = BlockingGetInAsync
