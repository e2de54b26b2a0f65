from __future__ import annotations

import ast
from typing import Optional

from raylint.semantics.analysis import CallSite, Loop, keyword_value
from raylint.semantics.loops import runs_once
from raylint.rules.base import Rule

# Options that give an actor more than one thread, so a blocked method does not block the others.
_THREADED = ("max_concurrency", "concurrency_groups")


class BlockingPollInSyncActor(Rule):
    """
    ## What it does
    Checks for a synchronous method of an actor class that loops `while True:` (or while a `self`
    attribute says so, as in `while not self.stopped:`) and in that loop waits with `ray.get` for a task
    or actor call it submits: `ray.get(other.next_item.remote())`, directly or through a name assigned
    in the loop.

    ## Why is this bad?
    A synchronous actor runs one method at a time on one thread. A long-poll loop holds that thread
    until the loop ends, so every other call to the actor (a status query, a `stop()` that would set the
    very flag the loop checks) waits behind it, possibly forever. The loop spends most of its time
    blocked in `ray.get`, doing nothing the actor's other methods could not interleave with.

    The rule stays quiet on async actors (any `async def` method; RAY101 covers blocking calls there),
    threaded actors (`max_concurrency` or `concurrency_groups` in the decorator, or given with
    `.options(...)` anywhere in the module), `ray.get` on a ref that does not change per iteration,
    loops that run once, `while` loops with other conditions (a retry counter, a queue), and code in
    plain functions, tasks, or functions nested in a method (such as a thread's target).

    Known problems: a handle created elsewhere with `.options(max_concurrency=...)` is not seen. This is
    a preview rule: its precision on real code is not yet shown.

    ## Example
    ```python
    @ray.remote
    class TaskExecutor:
        def __init__(self, task_store):
            self.task_store = task_store
            self.num_executed_tasks = 0

        def run(self):
            while True:
                task = ray.get(self.task_store.get_next_task.remote())
                self._execute_task(task)

        def get_num_executed_tasks(self):
            return self.num_executed_tasks
    ```

    ## Use instead
    ```python
    @ray.remote
    class AsyncTaskExecutor:
        def __init__(self, task_store):
            self.task_store = task_store
            self.num_executed_tasks = 0

        async def run(self):
            while True:
                task = await self.task_store.get_next_task.remote()
                self._execute_task(task)

        def get_num_executed_tasks(self):
            return self.num_executed_tasks
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    No fix: turning the actor async changes how all its methods run (a blocking call in any of them
    then stalls the event loop), and `max_concurrency` makes its methods run in parallel threads, which
    needs its state to be thread-safe. Either is a design change to make by hand.

    ## Options
    None.

    ## References
    - [Pattern: Using asyncio to run actor methods concurrently](https://docs.ray.io/en/latest/ray-core/patterns/concurrent-operations-async-actor.html)
    - [AsyncIO / Concurrency for Actors](https://docs.ray.io/en/latest/ray-core/actors/async_api.html)
    """

    code = "RAY112"
    name = "blocking-poll-in-sync-actor"
    summary = "Long-polling `ray.get` loop in a synchronous actor method"
    default_enabled = False
    preview = True

    def run(self) -> None:
        names = self.analysis.names
        threaded = self._threaded_by_options()
        for site in names.ray_calls("get"):
            if not site.loops:
                continue
            if not self._in_single_threaded_actor_method(site, threaded):
                continue
            loop = self._poll_loop(site)
            if loop is None:
                continue
            self.report(
                site.node,
                f"`ray.get` blocks in a polling loop of synchronous actor method `{site.function.name}`: it holds "
                f"the actor's only thread, so its other methods never run; make the method async and `await` "
                f"the ref, or give the actor `max_concurrency`",
            )

    def _in_single_threaded_actor_method(self, site: CallSite, threaded) -> bool:
        actor = site.class_node
        if actor is None or not isinstance(site.function, ast.FunctionDef) or site.function not in actor.body:
            return False
        remote = self.analysis.names.remote_def_of(actor)
        if remote is None or remote.has_starstar or id(actor) in threaded:
            return False
        if any(key in remote.options for key in _THREADED):
            return False
        return not any(isinstance(item, ast.AsyncFunctionDef) for item in actor.body)

    def _poll_loop(self, site: CallSite) -> Optional[Loop]:
        """The `while` loop in which `ray.get` waits for a call submitted on each iteration, or None."""
        call = site.node
        if len(call.args) != 1:
            return None
        argument = call.args[0]
        for loop in site.loops:
            if loop.kind != "while" or runs_once(loop) or not _polls(loop.node.test):
                continue
            if _is_remote_call(argument):
                return loop
            if isinstance(argument, ast.Name):
                assigned = self.analysis.loops.assignments(loop).get(argument.id, [])
                if assigned and all(_is_remote_call(value) for value, _ in assigned):
                    return loop
        return None

    def _threaded_by_options(self) -> set:
        """Ids of actor classes created somewhere with `.options(max_concurrency=...)` or concurrency groups."""
        names = self.analysis.names
        found = set()
        for site in names.calls_of("options"):
            func = site.node.func
            if not (isinstance(func, ast.Attribute) and func.attr == "options"):
                continue
            if not any(keyword_value(site.node, key) is not None for key in _THREADED):
                continue
            target = names.value(func.value, site.scope)
            if target is not None and target.tag == "remote" and target.defn.node is not None:
                found.add(id(target.defn.node))
        return found


def _polls(test: ast.AST) -> bool:
    """`while True:`, or a loop condition that reads an attribute of `self` (a flag another method sets)."""
    if isinstance(test, ast.Constant):
        return test.value in (True, 1)
    return any(
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
        for node in ast.walk(test)
    )


def _is_remote_call(expr: ast.AST) -> bool:
    """Inside `ray.get`, any `X.remote(...)` is a Ray submission, whatever X is (a handle passed in, say)."""
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"


RULE = BlockingPollInSyncActor
