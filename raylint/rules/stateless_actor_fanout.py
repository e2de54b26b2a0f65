from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from raylint.semantics.actor_state import CONCURRENCY_OPTIONS, ActorState, concurrent_options
from raylint.semantics.analysis import CallSite, Scope, call_arguments
from raylint.semantics.loops import names_read, runs_once, walk_local
from raylint.semantics.ray_names import RemoteDef
from raylint.rules.base import Option, Rule

# How deep a handle is followed through parameters and `self` attributes (a caller's caller...).
_MAX_DEPTH = 4


class StatelessActorFanout(Rule):
    """
    ## What it does
    Checks for a loop or comprehension that calls the same method on the same actor handle once per
    element (`worker.process.remote(item)`) when that method uses no actor state: it never reads or
    writes a `self` attribute, directly or through the helper methods of `self` it calls (methods
    inherited from base classes of the module included).

    ## Why is this bad?
    An actor is one process that runs its calls one at a time, in submission order. "Actors
    orchestrate, tasks execute": a fan-out to one actor's stateless method is a task in disguise, and
    all its work is serialised on one worker however many CPUs the cluster has. As a `@ray.remote`
    function, the same calls run in parallel across the cluster.

    The handle is followed wherever it is held: a local made with `Cls.remote()`,
    `Cls.options(...).remote()` or `ray.remote(Cls).remote()`, a variable of an enclosing function, a
    parameter of a function of the module that every caller passes the same kind of handle, and a
    `self` attribute of a coordinating actor (set in its body or passed to `__init__`).

    The rule stays quiet on methods that use state (a model loaded in `__init__`, counters, caches,
    even through a helper method; also `global`/`nonlocal`, `super()`, `self` passed on, mutation of
    a module-level container, calls such as `os.getpid()` or `ray.get_runtime_context()` whose answer
    depends on the process, a constructor that sets environment variables or module globals, and
    writes to files or a database, which an actor may exist to keep in order and one at a time); on
    handles that change per iteration (`for a in actors`,
    `zip(actors, shards)`, `actors[i % n]`, a new actor per iteration) and so on `ray.util.ActorPool`;
    on a call outside a loop, loops that run once and fan-outs known to be smaller than `min-calls`;
    on calls whose arguments are the same in every iteration (a latency probe or readiness ping, not
    a fan-out of work) or carry the previous call's result (`state = h.step.remote(state, x)`, which
    waits for each call whatever runs it); on async actors and actors given `max_concurrency` above
    one or `concurrency_groups` in the decorator or in any `.options(...)` of the class; on classes whose body
    is not visible (imported from outside the checked files, `ray.get_actor`; a class from another
    checked module is judged from its body there); on Ray Serve deployment handles; and in modules that
    never import ray.

    Known problems: a helper function outside the class that keeps module state in a way other than
    those above (an `lru_cache`, a lazily filled singleton) is not seen. This is a preview rule: its
    precision on real code is not yet shown.

    ## Example
    ```python
    @ray.remote
    class Tokenizer:
        def tokenize(self, text):
            return text.lower().split()

    tokenizer = Tokenizer.remote()
    refs = [tokenizer.tokenize.remote(doc) for doc in documents]
    ```

    ## Use instead
    ```python
    @ray.remote
    def tokenize(text):
        return text.lower().split()

    refs = [tokenize.remote(doc) for doc in documents]
    ```

    When the method does need state (a model to load once), keep the actor but run several and share
    the work with `ray.util.ActorPool` (or round-robin over a list of handles).

    ## Fix safety
    No fix. Rewriting the method as a task looks mechanical but is a design change the analysis
    cannot judge: the actor's resources (`num_gpus`, `memory`, custom resources) are held once for the
    actor's lifetime but would be requested by every task; its `runtime_env`, restarts and placement
    (a node, a placement group) would have to be carried over; calls on an actor run in submission
    order and a task fan-out does not, which changes the order of side effects (prints, files written,
    calls to other actors); the handle is often used elsewhere (other methods, `ray.kill`, passed to
    other tasks); and a method that looks pure may still depend on its process through a library it
    calls. The docs example shows the manual rewrite.

    ## Options
    - `min-calls` (default 4): a loop whose trip count is known and smaller than this is left alone (two
      or three calls, one per split or per config, gain little from running in parallel).

    ## References
    - [Key Concepts: Tasks and Actors](https://docs.ray.io/en/latest/ray-core/key-concepts.html)
    - [Actors (methods called on one actor run one at a time, in call order)](https://docs.ray.io/en/latest/ray-core/actors.html)
    - [ray.util.ActorPool](https://docs.ray.io/en/latest/ray-core/api/doc/ray.util.ActorPool.html)
    """

    code = "RAY113"
    name = "stateless-actor-fanout"
    summary = "Many calls to one actor's stateless method in a loop: a task in disguise"
    default_enabled = False
    preview = True
    options = {"min-calls": Option("min-calls", 4, "Known trip count below which a loop is left alone")}

    def run(self) -> None:
        names = self.analysis.names
        if not names.imports_ray:
            return
        self._state = ActorState(names)
        self._concurrent = self._concurrent_by_options()
        self._callers: Dict[int, List[Tuple[ast.Call, CallSite, int]]] = {}
        for site in names.calls_of("remote"):
            if site.loops:
                self._check(site)

    def _check(self, site: CallSite) -> None:
        called = _actor_method_call(site.node)
        if called is None:
            return
        handle, method = called
        loops = [loop for loop in site.loops if not runs_once(loop) and not _exits_at_once(loop)]
        if not loops or _creates_per_iteration(handle):
            return
        facts = self.analysis.loops
        if facts.depends_on(handle, site.loops):
            return
        arguments = list(_all_arguments(site.node))
        if not any(facts.depends_on(argument, loops) for argument in arguments) or self._chained(arguments, loops):
            return
        trips = self._trip_count(loops, site.scope)
        if trips is not None and trips < self.settings["min-calls"]:
            return
        actor = self._actor_of(handle, site.scope, 0)
        if actor is None or not self._serial_stateless(actor, method):
            return
        where = f"`{actor.name}.{method}`"
        count = f"{trips:,} calls to {where}" if trips is not None else f"The calls to {where}, one per iteration,"
        self.report(
            site.node,
            f"{count} run one after another on one actor, and the method uses no actor state: make it a "
            f"`@ray.remote` function so the calls run in parallel (or use an actor pool if it does need state)",
        )

    def _chained(self, arguments, loops) -> bool:
        """An argument carries a Ray result from an earlier iteration (`state = h.step.remote(state, x)`):
        each call waits for the previous one whatever runs it, so a task would be no faster. A name is
        carried when its value comes from a ref (directly or through other names) and the loop reads it
        before (or while) assigning it."""
        read = set()
        for argument in arguments:
            read |= names_read(argument)
        for loop in loops:
            assignments = self.analysis.loops.assignments(loop)
            derived = {name for name, values in assignments.items() if any(_holds_ray_result(v) for v, _ in values)}
            grown = True
            while grown:
                grown = False
                for name, values in assignments.items():
                    if name not in derived and any(names_read(value) & derived for value, _ in values):
                        derived.add(name)
                        grown = True
            reads = self.analysis.loops.reads(loop)
            for name in read & derived:
                last = max((statement.end_lineno, statement.end_col_offset) for _, statement in assignments[name])
                if any(position <= last for position in reads.get(name, ())):
                    return True
        return False

    def _trip_count(self, loops, scope: Scope) -> Optional[int]:
        total = 1
        for loop in loops:
            count = self.analysis.estimate.trip_count(loop, scope)
            if count is None:
                return None
            total *= count
        return total

    def _serial_stateless(self, actor: RemoteDef, method: str) -> bool:
        """The actor runs one call at a time and `method` is stateless, as far as its class body shows (here,
        or in another checked module through the project index)."""
        if actor.summary is not None:
            return actor.qualname not in self._concurrent and method in actor.summary.stateless_methods
        node = actor.node
        if not isinstance(node, ast.ClassDef) or id(node) in self._concurrent:
            return False
        if not self._state.runs_one_call_at_a_time(node, actor.options, actor.has_starstar):
            return False
        return self._state.is_stateless(node, method)

    # -- where does the handle come from? ---------------------------------------------------

    def _actor_of(self, handle: ast.AST, scope: Scope, depth: int) -> Optional[RemoteDef]:
        """The actor class definition behind a handle expression, or None when it cannot be seen."""
        if depth > _MAX_DEPTH:
            return None
        value = self.analysis.names.value(handle, scope)
        if value is not None:
            return value.defn if value.tag == "handle" and value.defn is not None and value.defn.is_actor else None
        if isinstance(handle, ast.Name):
            return self._parameter_actor(handle.id, scope, depth)
        if isinstance(handle, ast.Attribute) and isinstance(handle.value, ast.Name) and handle.value.id == "self":
            return self._attribute_actor(handle.attr, scope, depth)
        return None

    def _attribute_actor(self, attr: str, scope: Scope, depth: int) -> Optional[RemoteDef]:
        """`self.worker`, assigned somewhere in the class from values that all resolve to one actor class."""
        class_scope = scope
        while class_scope is not None and class_scope.kind != "class":
            class_scope = class_scope.parent
        if class_scope is None:
            return None
        assigned = self.analysis.walk.self_attrs.get(id(class_scope.node), {}).get(attr) or []
        # `self.worker = None` until a start method creates it: calls only run once it is a handle
        assigned = [(value, where) for value, where in assigned if not _is_none(value)]
        return _same([self._actor_of(value, where, depth + 1) for value, where in assigned])

    def _parameter_actor(self, name: str, scope: Scope, depth: int) -> Optional[RemoteDef]:
        """A parameter that every caller in this module fills with a handle of the same actor class."""
        bindings = scope.lookup(name) or []
        if len(bindings) != 1 or bindings[0].kind != "param":
            return None
        function = bindings[0].scope.node
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        position, keyword_only = _parameter_position(function, name)
        if position is None:
            return None
        found = []
        for call, caller, offset in self._callers_of(function):
            argument = _argument_at(call, name, position - offset, keyword_only)
            if argument is None or (caller.loops and self.analysis.loops.depends_on(argument, caller.loops)):
                return None
            found.append(self._actor_of(argument, caller.scope, depth + 1))
        return _same(found)

    def _callers_of(self, function: ast.FunctionDef) -> List[Tuple[ast.Call, CallSite, int]]:
        """Calls of `function` in this module with how many leading parameters they do not fill (`self`):
        a plain call, an actor's creation for its `__init__`, or `handle.method.remote(...)` for its methods."""
        key = id(function)
        if key in self._callers:
            return self._callers[key]
        self._callers[key] = []
        names = self.analysis.names
        definition = self.analysis.walk.definition_of(function)
        owner = definition.class_node if definition is not None else None
        found = []
        # a plain function is called by name (or as `self.f` bound to it); an actor method through `.remote`
        for site in names.calls_of() if owner is None else names.calls_of("remote"):
            func = site.node.func
            if owner is None:
                value = names.value(func, site.scope)
                if value is not None and value.tag == "func" and value.node is function:
                    found.append((site.node, site, 0))
                continue
            if not (isinstance(func, ast.Attribute) and func.attr == "remote"):
                continue
            target = names.submission_target(func.value, site.scope)
            if target is None or target[0] is None or target[0].node is not owner:
                continue
            method = target[1]
            if (method is None and function.name == "__init__") or method == function.name:
                found.append((site.node, site, 1))
        self._callers[key] = found
        return found

    def _concurrent_by_options(self) -> set:
        """Ids of actor classes (qualified names for imported ones) given concurrency with `.options(...)`
        anywhere in the module, or options hidden in `**kwargs`: which creation a handle came from is not
        tracked, so the class is let off."""
        names = self.analysis.names
        found = set()
        for site in names.calls_of("options"):
            func = site.node.func
            if not (isinstance(func, ast.Attribute) and func.attr == "options"):
                continue
            keywords = {k.arg: k.value for k in site.node.keywords if k.arg is not None}
            hidden = any(k.arg is None for k in site.node.keywords)
            if not hidden and not any(key in keywords for key in CONCURRENCY_OPTIONS):
                continue
            if not hidden and not concurrent_options(keywords):
                continue
            target = names.value(func.value, site.scope)
            if target is not None and target.tag == "remote" and target.defn.node is not None:
                found.add(id(target.defn.node))
            elif target is not None and target.tag == "qual":
                found.add(target.qual)
        return found


def _actor_method_call(call: ast.Call) -> Optional[Tuple[ast.AST, str]]:
    """(handle expression, method name) for `h.m.remote(...)` and `h.m.options(...).remote(...)`."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "remote"):
        return None
    method = func.value
    if isinstance(method, ast.Call) and isinstance(method.func, ast.Attribute) and method.func.attr == "options":
        method = method.func.value
    if not isinstance(method, ast.Attribute) or method.attr in ("remote", "options"):
        return None
    return method.value, method.attr


def _exits_at_once(loop) -> bool:
    """A `for` whose body ends in an unconditional `break`, `return` or `raise` runs once."""
    body = getattr(loop.node, "body", None) if loop.kind == "for" else None
    return bool(body) and isinstance(body[-1], (ast.Break, ast.Return, ast.Raise))


def _holds_ray_result(expr: ast.AST) -> bool:
    """A `.remote(...)` ref or a `ray.get`-like fetch (any `.get(`/`get(` call counts: a carried chain
    through some other getter is rare, and quiet is the safe side)."""
    for node in walk_local(expr):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("remote", "get"):
                return True
    return False


def _is_none(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _creates_per_iteration(handle: ast.AST) -> bool:
    """`Cls.remote().m.remote(x)` or `make_worker().m.remote(x)`: a call in the handle runs every iteration."""
    return any(isinstance(node, ast.Call) for node in ast.walk(handle))


def _all_arguments(call: ast.Call):
    yield from call_arguments(call)
    for argument in call.args:
        if isinstance(argument, ast.Starred):
            yield argument.value
    for keyword in call.keywords:
        if keyword.arg is None:
            yield keyword.value


def _parameter_position(function: ast.FunctionDef, name: str) -> Tuple[Optional[int], bool]:
    """The parameter's index among the positional ones, or (None, True) for a keyword-only one."""
    positional = list(getattr(function.args, "posonlyargs", [])) + list(function.args.args)
    for index, arg in enumerate(positional):
        if arg.arg == name:
            return index, False
    if any(arg.arg == name for arg in function.args.kwonlyargs):
        return -1, True
    return None, False


def _argument_at(call: ast.Call, name: str, position: int, keyword_only: bool) -> Optional[ast.AST]:
    """The expression a call passes for a parameter, or None when it is absent or hidden in `*`/`**`."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if keyword_only or position < 0:
        return None
    positional = call.args
    if any(isinstance(argument, ast.Starred) for argument in positional[: position + 1]):
        return None
    return positional[position] if position < len(positional) else None


def _same(actors: List[Optional[RemoteDef]]) -> Optional[RemoteDef]:
    """The one actor class every source agrees on, else None."""
    if not actors or any(actor is None for actor in actors):
        return None
    first = actors[0]
    same = all(actor.node is first.node and actor.qualname == first.qualname for actor in actors)
    return first if same else None


RULE = StatelessActorFanout
