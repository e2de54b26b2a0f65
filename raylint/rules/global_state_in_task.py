from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Set, Tuple

from raylint.semantics.analysis import node_contains, scoped_names, Binding, Scope
from raylint.fixers.rewrite import parents
from raylint.semantics.loops import walk_local
from raylint.semantics.ray_names import RemoteDef
from raylint.semantics.spelling import may_name
from raylint.rules.base import Rule

_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove",
                       "discard", "clear", "appendleft", "extendleft"})
_CONTAINERS = frozenset({"builtins.list", "builtins.dict", "builtins.set", "collections.defaultdict",
                         "collections.OrderedDict", "collections.Counter", "collections.deque"})


class GlobalStateInTask(Rule):
    """
    ## What it does
    Checks for module globals used as state shared between the driver and Ray tasks or actors:

    - a `global` statement in a remote function or actor method that assigns the name (reported at the
      `global` statement);
    - a remote function or actor method that mutates a module-level list, dict or set (`RESULTS.append(x)`,
      `CACHE[k] = v`) which driver code also reads (reported at the mutating statement);
    - a module global that a remote body reads and the driver reassigns after submitting that remote
      function or creating that actor, in the same scope (reported at the reassignment).

    ## Why is this bad?
    The driver, each task's worker and each actor are separate processes with their own copy of the
    module. A task that appends to a global list appends to its worker's copy: the driver's list stays
    empty, and two tasks on different workers never see each other's writes. A remote function or actor
    class is pickled when it is first submitted, so a global the driver changes afterwards keeps its old
    value in the workers. The program computes wrong results without any error.

    The rule stays quiet on the lazy per-worker cache (`global model` with the assignment under
    `if model is None:` or `if not model:`), on a `global` statement whose names are only read, on
    containers that only remote code touches (a per-worker memo table), and on globals reassigned before
    the first submission.

    Known problems: class variables (`Counter.total += 1`) and globals mutated through helper functions are
    not followed; a reassignment in a different function from the submission is not reported, since
    raylint cannot tell which runs first.

    ## Example
    ```python
    results = []

    @ray.remote
    def work(x):
        results.append(x * x)

    ray.get([work.remote(x) for x in range(4)])
    print(results)  # [] on the driver
    ```

    ## Use instead
    ```python
    @ray.remote
    class Results:
        def __init__(self):
            self.items = []

        def add(self, item):
            self.items.append(item)

        def all(self):
            return self.items

    @ray.remote
    def work(x, store):
        ray.get(store.add.remote(x * x))

    store = Results.remote()
    ray.get([work.remote(x, store) for x in range(4)])
    print(ray.get(store.all.remote()))
    ```
    Or return the values from the tasks and combine them on the driver.

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    There is no fix: moving state into an actor, or into the tasks' return values, changes how every
    reader and writer reaches it.

    ## Options
    None.

    ## References
    - [Anti-pattern: Using global variables to share state between tasks and actors](https://docs.ray.io/en/latest/ray-core/patterns/global-variables.html)
    """

    code = "RAY108"
    name = "global-state-in-task"
    summary = "Module global used as state shared between the driver and tasks or actors"
    options: dict = {}

    def run(self) -> None:
        tasks = list(self._task_functions())
        if not tasks:
            return
        self._mutation_bases: Optional[Set[int]] = None
        task_nodes = [function for function, _ in tasks]
        containers = self._possible_containers()
        for function, _remote in tasks:
            scope = self.analysis.walk.scopes[id(function)]
            # the walk finds nothing to report without a `global` statement in the function (each is recorded
            # in the scope it is in, this one: nested defs and classes are not walked) or a read of a name
            # `_module_container` could accept (a mutated base is a `Name`)
            if not scope.globals and not may_name(self.analysis.lines, function, containers):
                continue
            nodes = list(_local_statements(function))  # one walk for both checks
            self._global_statements(function, nodes)
            self._container_mutations(function, scope, task_nodes, nodes)
        self._stale_reads(tasks)

    def _task_functions(self) -> Iterator[Tuple[ast.AST, RemoteDef]]:
        """Each remote function, and each method of each actor class, with its remote definition."""
        seen = set()
        for remote in self.analysis.names.remote_definitions():
            node = remote.node
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            for item in node.body if remote.is_actor else [node]:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield item, remote

    # -- `global X` with an assignment ------------------------------------------------------

    def _global_statements(self, function: ast.AST, nodes: List[ast.AST]) -> None:
        parent_of = None
        for statement in nodes:
            if not isinstance(statement, ast.Global):
                continue
            parent_of = parent_of or parents(function)
            written = [name for name in statement.names if self._written(name, function, parent_of)]
            if not written:
                continue
            listed = ", ".join(f"`{name}`" for name in written)
            self.report(
                statement,
                f"a Ray task or actor assigns the module global{'s' if len(written) > 1 else ''} {listed}: the "
                f"write stays in that worker process, and neither the driver nor other tasks see it; keep shared "
                f"state in an actor, or return the value",
            )

    @staticmethod
    def _written(name: str, function: ast.AST, parent_of: Dict[int, ast.AST]) -> bool:
        """`name` is assigned in `function` other than as a lazy per-worker cache."""
        stores = [node for node in walk_local(function)
                  if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load)]
        return any(not _lazily_initialised(store, function, parent_of) for store in stores)

    # -- mutating a module-level container --------------------------------------------------

    def _container_mutations(self, function: ast.AST, scope: Scope, task_nodes: List[ast.AST],
                             nodes: List[ast.AST]) -> None:
        for statement in nodes:
            base = _mutated_base(statement)
            if base is None:
                continue
            target = base.id
            binding = self._module_container(target, scope)
            if binding is None or not self._driver_reads(target, binding, task_nodes):
                continue
            self.report(
                statement,
                f"a Ray task or actor mutates the module-level `{target}`, which the driver reads: the change "
                f"happens in the worker's copy and the driver never sees it; return the values or keep them "
                f"in an actor",
            )

    def _possible_containers(self) -> Set[str]:
        """The module-level names `_module_container` could accept: bound once, by an assignment of a
        container display or of a call (whose callee it resolves only when asked)."""
        return {
            name for name, bindings in self.analysis.walk.module_scope.bindings.items()
            if len(bindings) == 1 and bindings[0].kind == "assign"
            and isinstance(bindings[0].value, (ast.List, ast.Dict, ast.Set, ast.Call))
        }

    def _module_container(self, name: str, scope: Scope):
        bindings = scope.lookup(name) or []
        if len(bindings) != 1 or bindings[0].scope.kind != "module" or bindings[0].kind != "assign":
            return None
        value = bindings[0].value
        if isinstance(value, (ast.List, ast.Dict, ast.Set)):
            return bindings[0]
        if isinstance(value, ast.Call) and self.analysis.names.qualname(value.func, bindings[0].scope) in _CONTAINERS:
            return bindings[0]
        return None

    def _driver_reads(self, name: str, binding: Binding, task_nodes: List[ast.AST]) -> bool:
        """`name` is read, as `binding`, by code outside every task and actor method (not only mutated)."""
        walk = self.analysis.walk
        if self._mutation_bases is None:
            bases = (_mutated_base(statement) for statement in ast.walk(self.analysis.tree))
            self._mutation_bases = {id(base) for base in bases if base is not None}
        return any(
            node.id == name
            and isinstance(node.ctx, ast.Load)
            and id(node) not in self._mutation_bases
            and binding in (where.lookup(name) or ())
            and not any(node_contains(task, node) for task in task_nodes)
            for node, where in scoped_names(walk, self.analysis.tree.body, walk.module_scope)
        )

    # -- a global read by a task and reassigned on the driver after submitting it -----------------

    def _stale_reads(self, tasks: List[Tuple[ast.AST, RemoteDef]]) -> None:
        walk = self.analysis.walk
        names = self.analysis.names
        module = walk.module_scope
        # the submissions of each remote definition, found in one pass (not one pass per task); the
        # definition is kept in the entry so that its id stays its own
        submissions: Dict[int, Tuple[object, List]] = {}
        for site, (target, _, _) in names.submissions():
            submissions.setdefault(id(target), (target, []))[1].append(site)
        reported = set()
        last_write = self._last_driver_write({site.function for _, sites in submissions.values() for site in sites})
        for function, remote in tasks:
            sites = submissions.get(id(remote), (remote, []))[1]
            # a report needs a submission in a driver before one of its writes (see `_last_driver_write`)
            if not any(site.function in last_write and _start(site.node) < last_write[site.function] for site in sites):
                continue
            scope = walk.scopes[id(function)]
            # a module the task imports itself (`global random; import random`) is its own, not state
            imported = {name for name, bindings in scope.bindings.items() if any(b.kind == "import" for b in bindings)}
            read = {node.id for node, where in scoped_names(walk, function.body, scope)
                    if isinstance(node.ctx, ast.Load) and _global_read(node.id, where, module)} - imported
            for name in sorted(read):
                for binding, driver in self._driver_writes(name):
                    submitted_first = any(
                        site.function is driver and (site.node.lineno, site.node.col_offset)
                        < (binding.node.lineno, binding.node.col_offset)
                        for site in sites
                    )
                    if submitted_first and id(binding.node) not in reported:
                        reported.add(id(binding.node))
                        self.report(
                            binding.node,
                            f"`{name}` is reassigned on the driver after `{remote.name}` was submitted, but the "
                            f"workers keep the value pickled at the first submission; pass it as an argument, "
                            f"or keep it in an actor",
                        )

    def _last_driver_write(self, functions) -> Dict[Optional[ast.AST], Tuple[int, int]]:
        """Each of `functions` (the `.function` of submission sites, None at module level) that is a driver ->
        the start of its last write that `_driver_writes` yields for any name: module-level bindings, or those
        of the names a plain function declares `global`. A submission after that start, or in no driver, is
        never reported."""
        walk = self.analysis.walk
        last: Dict[Optional[ast.AST], Tuple[int, int]] = {}
        for function in functions:
            if function is None:
                bindings = [b for same_name in walk.module_scope.bindings.values() for b in same_name]
            else:
                scope = walk.scopes[id(function)]
                if scope.kind != "function" or not scope.globals or self.analysis.names.task_code(function) is not None:
                    continue
                bindings = [b for name in scope.globals for b in scope.bindings.get(name, ())]
            starts = [_start(b.node) for b in bindings if b.kind != "import"]
            if starts:
                last[function] = max(starts)
        return last

    def _driver_writes(self, name: str) -> Iterator[Tuple[Binding, ast.AST]]:
        """Assignments to the module global `name` at module level, or in a plain function declaring it
        `global`, with that function (None at module level)."""
        walk = self.analysis.walk
        # an import binds the same module object wherever it runs: it is not state that goes stale
        for binding in walk.module_scope.bindings.get(name, ()):
            if binding.kind != "import":
                yield binding, None
        for scope in walk.declared_global().get(name, ()):
            if scope.kind == "function" and self.analysis.names.task_code(scope.node) is None:
                for binding in scope.bindings.get(name, ()):
                    if binding.kind != "import":
                        yield binding, scope.node


_BLOCK_PARTS = (ast.stmt, ast.excepthandler) + ((ast.match_case,) if hasattr(ast, "match_case") else ())
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _local_statements(function: ast.AST) -> Iterator[ast.AST]:
    """The statements (and `except`/`case` clauses) of `function`, nested blocks included, not those of nested
    functions or classes: both checks look at statements only, so expressions are not walked."""
    stack = [function]
    while stack:
        node = stack.pop()
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend(item for item in value
                             if isinstance(item, _BLOCK_PARTS) and not isinstance(item, _NESTED_SCOPES))


def _start(node: ast.AST) -> Tuple[int, int]:
    return node.lineno, node.col_offset


def _global_read(name: str, where: Scope, module: Scope) -> bool:
    bindings = where.lookup(name)
    return bool(bindings) and bindings[0].scope is module


def _mutated_base(statement: ast.AST) -> Optional[ast.Name]:
    """The `X` of `X.append(v)`, `X[k] = v`, `X[k] += v` or `del X[k]`, else None."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        if isinstance(func, ast.Attribute) and func.attr in _MUTATORS and isinstance(func.value, ast.Name):
            return func.value
        return None
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        targets = [statement.target]
    elif isinstance(statement, ast.Delete):
        targets = statement.targets
    else:
        return None
    for target in targets:
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            return target.value
    return None


def _lazily_initialised(store: ast.Name, function: ast.AST, parent_of: Dict[int, ast.AST]) -> bool:
    """The assignment sits in the body of `if X is None:` or `if not X:`: a per-worker cache built once."""
    node = store
    while node is not function and id(node) in parent_of:
        parent = parent_of[id(node)]
        if isinstance(parent, ast.If) and any(child is node for child in parent.body) and _unset(parent.test, store.id):
            return True
        node = parent
    return False


def _unset(test: ast.AST, name: str) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Name) and test.operand.id == name
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    )


RULE = GlobalStateInTask
