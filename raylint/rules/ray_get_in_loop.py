from __future__ import annotations

import ast
import re
from typing import Optional

from raylint.semantics.analysis import CallSite, node_contains
from raylint.fixers.ray_get_in_loop import batch_gets, plan_batch_gets
from raylint.semantics.loops import loop_body, names_read, runs_once, target_names, walk_local
from raylint.semantics.analysis import keyword_value
from raylint.rules.base import LazyFix, Rule

# Parameters named like this almost always hold ObjectRefs, even when their origin is out of sight.
_REF_LIKE_NAME = re.compile(r"(^|_)(refs|object_refs|obj_refs|futures)$")
# `ready_refs`, `done_futures`: the finished part of a `ray.wait`, each `ray.get` returns at once.
_FINISHED_NAME = re.compile(r"^_?(ready|done|finished|completed)_")


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

    Inside `ray.get`, any `X.remote(...)` is a Ray submission, whatever X is: a new task submitted and
    awaited every iteration is reported even when its arguments do not change, and handles raylint
    cannot trace (a dict on `self`, a parameter, a helper's result) count; so do refs named like pending
    refs (`futures`, `refs`) that come from a parameter or from another object's method. Refs fetched one at a time
    are reported when raylint knows they are refs: submitted in this module, annotated
    `List[ray.ObjectRef]` (or `Sequence["ray.ObjectRef"]`, `Dict[str, ObjectRef]`...), or returned by
    a task inside a list (`inner = ray.get(outer.remote())`, then `ray.get(r)` for each `r`).

    The rule stays quiet on `ray.wait`-driven loops (also over a parameter named as finished refs,
    `ready_refs`, `done_futures`), streaming and dynamic generator refs, refs that do
    not change between iterations, one batched `ray.get(list)` per iteration, iterations that need the
    previous iteration's result (also through a plain copy, `c = new_c`), `ray.get` in the iterable of
    a `for`, loops that run once, and these look-alikes:

    - one synchronous actor called through the same handle every iteration (training steps, weight
      sync, environment steps): the actor runs the calls in order anyway. It is reported when the
      handle changes per iteration or the actor runs calls concurrently (an `async def` method,
      `max_concurrency > 1` in its decorator or creation `.options`);
    - a task that reads a value pulled in the same iteration from such an actor when the loop also
      sends that actor another call (parameter server: pull the weights, compute, push the gradient);
    - retry, poll and search loops: a `break` or `return` after the get, a `while` whose test is the
      get or reads its result;
    - latency measured on purpose: a clock read (`time.time()`, `time.perf_counter()`,
      `time.monotonic()`) before and after the get in the loop body;
    - a guard on the loop variable that makes the get run once (`if rank == 0:`);
    - several returns per submission (`a, b = f.remote()`, `.options(num_returns=2)`), also a
      collection of such lists fetched one list per iteration (map outputs of a shuffle).

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
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

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

    One `ray.get` on a list returns one value per ref, so each fetched ref must be one object: no fix
    when it comes from a task or actor method with `num_returns` other than one (in `@ray.remote`,
    `.options(...)` or `@ray.method`), which gives a list of refs; unsafe when raylint cannot trace the
    ref back to its submission (a parameter, an imported or inherited callee). Unsafe too when the loop
    calls an actor that may run calls concurrently (an async actor, `max_concurrency`, a handle raylint
    cannot trace to `Actor.remote()`): submitted together, its calls may run in another order.

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
        for site in names.ray_calls("get"):
            if not site.loops:
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
        loops = [
            loop for loop in site.loops
            if not runs_once(loop) and not _guarded_once(loop, call, self.analysis.loops.bound(loop))
        ]
        if not loops:
            return None
        innermost = loops[-1]
        if _leaves_after(innermost, call) or self._timed(innermost, call, site) or _polls_status(innermost, call):
            return None
        submission = self._submission(argument, loops)
        if submission is not None:
            if self._several_returns(submission, argument, loops, site) or self._carried(submission, loops, site):
                return None
            if self._same_sequential_actor(submission, innermost, site):
                return None
            if self._state_through_actor(submission, innermost, site):
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
        """The `X.remote(...)` call whose ref `ray.get` waits for: the argument itself, `pair[0]` of it, or
        the value of a name assigned once in the loop body (`ref = f.remote(x); ray.get(ref)`). Inside
        `ray.get`, any `X.remote(...)` is a Ray submission, whatever X is."""
        if _is_remote_call(argument):
            return argument
        if isinstance(argument, ast.Subscript) and isinstance(argument.value, ast.Name):
            argument = argument.value
        if isinstance(argument, ast.Name):
            for loop in loops:
                assigned = self.analysis.loops.assignments(loop).get(argument.id, [])
                if len(assigned) == 1 and _is_remote_call(assigned[0][0]):
                    return assigned[0][0]
        return None

    def _several_returns(self, submission: ast.Call, argument: ast.AST, loops, site: CallSite) -> bool:
        """`a, b = f.remote()` or `pair = g.options(num_returns=2).remote()`: the iteration holds a list of
        refs, not one ref it waits for right away. `ray.get(pair.remote(i))` itself still waits for each
        task in turn, whatever it returns: that one fires (and its fix knows about `num_returns`)."""
        if argument is submission:
            return False
        for loop in loops:
            for _value, statement in self.analysis.loops.assignments(loop).get(_base_name(argument), []):
                if isinstance(statement, ast.Assign) and any(
                    isinstance(t, (ast.Tuple, ast.List)) for t in statement.targets
                ):
                    return True
        return self._returns_several(submission, site.scope)

    def _returns_several(self, submission: ast.Call, scope) -> bool:
        """`num_returns` above one in `.options(...)` or the decorator: the call gives a list of refs."""
        count = _num_returns(submission.func.value)
        if count is None:
            target = self.analysis.names.submission_target(submission.func.value, scope)
            defn = target[0] if target is not None else None
            if defn is not None and defn.node is not None and target[1] is None:
                count = defn.options.get("num_returns")
        return count is not None and not (isinstance(count, ast.Constant) and count.value in (1, None))

    def _elements_are_lists(self, collection: ast.AST, scope) -> bool:
        """A collection built from submissions that each return several refs (`[f.options(num_returns=3)
        .remote(p) for p in parts]`): each element is a list of refs, one batched get per iteration."""
        if not isinstance(collection, ast.Name):
            return False
        for binding in scope.lookup(collection.id) or []:
            if binding.value is None:
                continue
            for node in walk_local(binding.value):
                if _is_remote_call(node) and self._returns_several(node, binding.scope):
                    return True
        return False

    def _same_sequential_actor(self, submission: ast.Call, loop, site: CallSite) -> bool:
        """An actor method called on the same handle every iteration of an actor that runs calls one at a
        time: the calls are sequential whatever the loop does (training steps, environment steps)."""
        target = submission.func.value
        target = _strip_options(target)
        if not isinstance(target, ast.Attribute):
            return False  # `f.remote()` on a name: a remote function (or actor creation)
        handle = target.value
        value = self.analysis.names.value(target, site.scope)
        if value is not None and value.tag in ("qual", "remote"):
            return False  # `module.task.remote()`: a remote function
        if self.analysis.loops.depends_on(handle, [loop]):
            return False  # a different actor (or a new one) each iteration
        if _attribute_depends_on_loop(handle, loop, self.analysis):
            return False
        return not self._concurrent_actor(handle, value, site)

    def _state_through_actor(self, submission: ast.Call, loop, site: CallSite) -> bool:
        """The submission reads a value fetched in this iteration from a synchronous actor that the loop
        also sends another call (a parameter server: pull the weights, compute a gradient, push it back).
        The actor's state carries each iteration into the next, so the tasks cannot be submitted up front.
        Without that second call the fetched value would be the same every iteration (a true finding)."""
        assignments = self.analysis.loops.assignments(loop)
        derived = set()
        for name, values in assignments.items():
            for value, _statement in values:
                for node in walk_local(value):
                    actor_call = self._actor_read(node, loop, site)
                    if actor_call is not None and self._handle_called_again(actor_call, loop):
                        derived.add(name)
        changed = bool(derived)
        while changed:
            changed = False
            for name, values in assignments.items():
                if name not in derived and any(names_read(value) & derived for value, _ in values):
                    derived.add(name)
                    changed = True
        return bool(names_read(submission) & derived)

    def _actor_read(self, node: ast.AST, loop, site: CallSite) -> Optional[ast.Call]:
        """`ray.get(handle.method.remote(...))` on a same-handle synchronous actor: the inner call."""
        if not (isinstance(node, ast.Call) and node.args and _is_remote_call(node.args[0])):
            return None
        if not self.analysis.names.is_ray(node.func, site.scope, "get"):
            return None
        inner = node.args[0]
        return inner if self._same_sequential_actor(inner, loop, site) else None

    @staticmethod
    def _handle_called_again(actor_call: ast.Call, loop) -> bool:
        """Another `.remote` call on the same handle somewhere in the loop body."""
        handle = ast.dump(_strip_options(actor_call.func.value).value)
        for part in loop_body(loop):
            for node in walk_local(part):
                if node is actor_call or not _is_remote_call(node):
                    continue
                target = _strip_options(node.func.value)
                if isinstance(target, ast.Attribute) and ast.dump(target.value) == handle:
                    return True
        return False

    def _concurrent_actor(self, handle: ast.AST, method_value, site: CallSite) -> bool:
        """The actor runs several calls at once: async methods, or `max_concurrency > 1` where it is
        declared or created."""
        defn = method_value.defn if method_value is not None and method_value.tag == "method" else None
        if defn is not None and defn.node is not None:
            if any(isinstance(item, ast.AsyncFunctionDef) for item in defn.node.body):
                return True
            if _above_one(defn.options.get("max_concurrency")):
                return True
        if isinstance(handle, ast.Name):
            for binding in site.scope.lookup(handle.id) or []:
                if binding.value is not None and _created_concurrent(binding.value):
                    return True
        if isinstance(handle, ast.Attribute) and isinstance(handle.value, ast.Name) and handle.value.id == "self":
            for attrs in self.analysis.walk.self_attrs.values():
                if any(_created_concurrent(value) for value, _where in attrs.get(handle.attr, ())):
                    return True
        return False

    def _timed(self, loop, call: ast.Call, site: CallSite) -> bool:
        """A clock read before and after the submit-and-wait: a deliberate sequential latency benchmark."""
        before = after = False
        names = self.analysis.names
        for part in loop_body(loop):
            for node in walk_local(part):
                if not isinstance(node, ast.Call) or names.qualname(node.func, site.scope) not in _CLOCKS:
                    continue
                if (node.lineno, node.col_offset) < (call.lineno, call.col_offset):
                    before = True
                elif (node.lineno, node.col_offset) > (call.end_lineno, call.end_col_offset):
                    after = True
        return before and after

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
        collection = self._collection_of(argument, loops)
        if collection is not None and self._elements_are_lists(collection, site.scope):
            return False
        value = self.analysis.names.value_in_loops(argument, site.scope, site.loops)
        if value is not None:
            return value.tag == "ref" and value.origin in ("task", "put")
        if collection is None:
            return False
        if self._holds_refs(collection, site.scope):
            return True
        return self._ref_like_parameter(argument, site, loops)

    @staticmethod
    def _collection_of(argument: ast.AST, loops) -> Optional[ast.AST]:
        """The collection one ref per iteration comes from: the iterable of `for r in refs`
        (`refs.values()`/`items()`, `enumerate(refs)` and `zip` unwrapped), or `refs` in `refs[i]`."""
        if isinstance(argument, ast.Subscript):
            return argument.value
        for loop in reversed(loops):
            if loop.target is None or argument.id not in target_names(loop.target):
                continue
            iterable = loop.iter
            if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute):
                if iterable.func.attr in ("values", "items") and not iterable.args:
                    return iterable.func.value
            if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
                if iterable.func.id in ("enumerate", "reversed", "list", "sorted") and iterable.args:
                    return iterable.args[0]
                return None
            return iterable
        return None

    def _holds_refs(self, collection: ast.AST, scope) -> bool:
        """Refs we know from how the collection was made or typed: annotated `List[ray.ObjectRef]`, the
        refs a task returned inside a list (`inner = ray.get(outer.remote())`), or a container of
        `X.remote(...)` results whatever X is."""
        if isinstance(collection, ast.Name):
            bindings = scope.lookup(collection.id) or []
            if not bindings:
                return False
            for binding in bindings:
                if binding.kind == "param":
                    annotation = getattr(binding.node, "annotation", None)
                    if annotation is None or not self._annotated_refs(annotation, binding.scope):
                        return False
                elif binding.kind in ("assign", "augassign") and binding.value is not None and not binding.path:
                    if not (self._fetched_from_task(binding.value, binding.scope) or _made_of_submissions(
                        binding.value, binding.scope) or self._helper_returns_refs(binding.value, binding.scope)):
                        return False
                else:
                    return False
            return True
        if isinstance(collection, ast.Attribute) and isinstance(collection.value, ast.Name):
            if collection.value.id == "self":
                assigned = self.analysis.walk.self_attrs
                values = [
                    (v, where)
                    for attrs in assigned.values()
                    for v, where in attrs.get(collection.attr, [])
                ]
                return bool(values) and all(_made_of_submissions(v, where) for v, where in values)
        return False

    def _helper_returns_refs(self, expr: ast.AST, scope) -> bool:
        """`refs = submit_all(xs)` where `submit_all` is a function of this module whose every `return`
        gives a list of refs (`[f.remote(x) for x in xs]`, or a name holding one)."""
        if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name)):
            return False
        bindings = scope.lookup(expr.func.id) or []
        if len(bindings) != 1 or bindings[0].kind != "def":
            return False
        function = bindings[0].node
        body_scope = self.analysis.walk.scopes.get(id(function))
        if body_scope is None or self.analysis.names.remote_def_of(function) is not None:
            return False
        returned = [node.value for node in walk_local(function) if isinstance(node, ast.Return)]
        if not returned or any(value is None for value in returned):
            return False
        for value in returned:
            known = self.analysis.names.value(value, body_scope)
            if not (_made_of_submissions(value, body_scope) or (known is not None and known.tag == "refs")):
                return False
        return True

    def _annotated_refs(self, annotation: ast.AST, scope) -> bool:
        """`List[ray.ObjectRef]`, `list[ObjectRef]`, `Sequence["ray.ObjectRef"]`, `Dict[str, ObjectRef]`."""
        names = self.analysis.names
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = names.string_annotation(annotation)
        if not isinstance(annotation, ast.Subscript):
            return False
        inner = annotation.slice
        if isinstance(inner, ast.Index):  # Python 3.8 trees
            inner = inner.value  # pragma: no cover
        last = inner.elts[-1] if isinstance(inner, ast.Tuple) and inner.elts else inner
        if isinstance(last, ast.Constant) and isinstance(last.value, str):
            last = names.string_annotation(last)
            if last is None:
                return False
        qual = names.qualname(last, scope)
        return qual in ("ray.ObjectRef", "ray._raylet.ObjectRef", "ray.types.ObjectRef")

    def _fetched_from_task(self, expr: ast.AST, scope) -> bool:
        """`ray.get(outer.remote(...))`: a task's result; iterated and fetched again, it held refs."""
        return (
            isinstance(expr, ast.Call)
            and self.analysis.names.is_ray(expr.func, scope, "get")
            and bool(expr.args)
            and _is_remote_call(expr.args[0])
        )

    @staticmethod
    def _ref_like_parameter(argument: ast.AST, site: CallSite, loops) -> bool:
        """`for r in refs` where `refs` is named like a list of pending refs and raylint cannot see what
        it holds: a parameter, or the whole result of a call on another object
        (`futures = self.group.run_all(...)`). Unpacked results (`ready, rest = ray.wait(...)`) are not."""
        if not isinstance(argument, ast.Name):
            return False
        for loop in loops:
            target, iterable = loop.target, loop.iter
            if isinstance(target, ast.Name) and target.id == argument.id and isinstance(iterable, ast.Name):
                if not _REF_LIKE_NAME.search(iterable.id) or _FINISHED_NAME.match(iterable.id):
                    return False
                bindings = site.scope.lookup(iterable.id) or []
                return bool(bindings) and all(b.kind == "param" or _opaque_method_result(b) for b in bindings)
        return False

    def _carried(self, submission: ast.AST, loops, site: CallSite) -> bool:
        """True when the submission reads a Ray result from an earlier iteration (a synchronous training
        step, an iterative solver): such a loop cannot submit everything up front. A name holds a Ray
        result when it is assigned one, or a plain copy of a name that holds one (`c = new_c`); it is
        carried when the loop body reads it before (or while) assigning it."""
        for loop in loops:
            assignments = self.analysis.loops.assignments(loop)
            reads = self.analysis.loops.reads(loop)
            holders = {
                name for name, values in assignments.items() if any(self._ray_result(v, site) for v, _ in values)
            }
            changed = True
            while changed:
                changed = False
                for name, values in assignments.items():
                    if name not in holders and any(names_read(value) & holders for value, _ in values):
                        holders.add(name)
                        changed = True
            carried = set()
            for name in holders:
                ends = [(statement.end_lineno, statement.end_col_offset) for _v, statement in assignments[name]]
                if any(position <= max(ends) for position in reads.get(name, ())):
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


_CLOCKS = frozenset(
    {
        "time.time",
        "time.perf_counter",
        "time.monotonic",
        "time.time_ns",
        "time.perf_counter_ns",
        "time.monotonic_ns",
        "timeit.default_timer",
    }
)


def _opaque_method_result(binding) -> bool:
    """A plain assignment of a method call on an attribute chain (`self.group.run_all(...)`): its
    result is whatever that object returns, which raylint cannot see."""
    value = binding.value
    return (
        binding.kind == "assign"
        and not binding.path
        and isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and isinstance(value.func.value, ast.Attribute)
    )


def _strip_options(target: ast.AST) -> ast.AST:
    """`X.options(...)` -> `X`."""
    if (
        isinstance(target, ast.Call)
        and isinstance(target.func, ast.Attribute)
        and target.func.attr == "options"
    ):
        return target.func.value
    return target


def _num_returns(target: ast.AST) -> Optional[ast.AST]:
    if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr == "options":
        return keyword_value(target, "num_returns")
    return None


def _base_name(expr: ast.AST) -> str:
    while isinstance(expr, ast.Subscript):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else ""


def _above_one(value: Optional[ast.AST]) -> bool:
    """`max_concurrency=` that may exceed one: a constant above one, or anything not a constant."""
    if value is None:
        return False
    return not (isinstance(value, ast.Constant) and isinstance(value.value, int) and value.value <= 1)


def _created_concurrent(expr: ast.AST) -> bool:
    """`A.options(max_concurrency=8).remote()` (anywhere in the value)."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "options":
            if _above_one(keyword_value(node, "max_concurrency")):
                return True
    return False


def _attribute_depends_on_loop(handle: ast.AST, loop, analysis) -> bool:
    """`self.workers[name]` where `name` changes per iteration (already caught by `depends_on`), or a
    handle attribute reassigned inside the loop (`self.actor = A.remote()` in the body)."""
    if isinstance(handle, ast.Attribute):
        for part in loop_body(loop):
            for node in walk_local(part):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Attribute) and ast.dump(t.value) == ast.dump(handle.value) and t.attr == handle.attr
                    for t in node.targets
                ):
                    return True
    return False


def _made_of_submissions(expr: ast.AST, scope) -> bool:
    """A list/dict (display or comprehension) whose elements are `X.remote(...)` calls."""
    if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return _is_remote_call(expr.elt)
    if isinstance(expr, ast.DictComp):
        return _is_remote_call(expr.value)
    if isinstance(expr, (ast.List, ast.Tuple)):
        return bool(expr.elts) and all(_is_remote_call(e) for e in expr.elts)
    if isinstance(expr, ast.Dict):
        return bool(expr.values) and all(_is_remote_call(v) for v in expr.values)
    return False


def _path_to(root: ast.AST, target: ast.AST) -> list:
    """The nodes from `root` down to `target` (both included), by source position."""
    path = [root]
    node = root
    while node is not target:
        for child in ast.iter_child_nodes(node):
            if child is target or (hasattr(child, "lineno") and node_contains(child, target)):
                node = child
                break
        else:
            return path
        path.append(node)
    return path


def _guarded_once(loop, call: ast.Call, names) -> bool:
    """`if rank == 0:` / `if i == 0:` around the get, on the loop variable or a name the loop changes
    (a counter, `rank += 1`): it runs in one iteration."""
    if loop.kind != "for":
        return False
    for node in _path_to(loop.node, call)[1:]:
        if isinstance(node, ast.If) and not node_contains(node.test, call):
            test = node.test
            if (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq)
                and any(isinstance(side, ast.Name) and side.id in names for side in (test.left, test.comparators[0]))
                and any(isinstance(side, ast.Constant) for side in (test.left, test.comparators[0]))
            ):
                return True
    return False


def _leaves_after(loop, call: ast.Call) -> bool:
    """A `break` or `return` of this loop after the get: a retry, poll or search loop that stops on success."""
    if loop.kind not in ("for", "while"):
        return False
    after = (call.end_lineno, call.end_col_offset)
    stack = list(loop.node.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Return, ast.Break)) and (
            (node.lineno, node.col_offset) >= after or node_contains(node, call)
        ):
            return True
        for child in ast.iter_child_nodes(node):
            # a `break` in a nested loop ends that loop; a `return` there still ends ours
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and isinstance(child, ast.Break):
                continue
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                stack.extend(n for n in ast.walk(child) if isinstance(n, ast.Return))
                continue
            stack.append(child)
    return False


def _polls_status(loop, call: ast.Call) -> bool:
    """A `while` that checks a status: the get is in its test, or the test reads a name the get assigns."""
    if loop.kind != "while":
        return False
    test = loop.node.test
    if node_contains(test, call):
        return True
    tested = names_read(test)
    for node in ast.walk(loop.node):
        if isinstance(node, ast.Assign) and node_contains(node.value, call):
            if any(target_names(t) & tested for t in node.targets):
                return True
    return False


def _is_remote_call(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"


RULE = RayGetInLoop
