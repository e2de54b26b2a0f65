"""Does an actor method use the actor's state? And does the actor run its calls one at a time?

RAY113 asks both: a method that touches no state on an actor that runs one call at a time is a task in
disguise. "State" is read broadly, because a miss costs less than a false alarm: `self` attributes
(directly or through helper methods of the class, transitively), `self` itself escaping, `super()`,
`global`/`nonlocal`, mutation of names from outside the method, names another function declares
`global` (a model loaded in `__init__` into a module global), the worker process's identity, writes to
files or databases (which the actor may exist to keep in order), and a constructor that sets up process
state (environment variables, `sys.path`) the methods may rely on.
"""

from __future__ import annotations

import ast
from typing import Dict, FrozenSet, Iterable, Optional, Set

from raylint.semantics.ray_names import BUILTIN_NAMES, RayNames

# Options that let an actor run several calls at once.
CONCURRENCY_OPTIONS = ("max_concurrency", "concurrency_groups")

# Calls whose result depends on which worker process runs them: the same call as a task answers differently.
_PROCESS_IDENTITY = frozenset(
    {
        "os.getpid", "os.getppid", "os.environ", "os.getcwd", "os.chdir", "os.putenv", "os.unsetenv",
        "socket.gethostname", "threading.get_ident", "threading.current_thread", "ray.get_runtime_context",
        "ray.get_gpu_ids", "ray.get_actor", "ray.actor.exit_actor", "ray.util.get_node_ip_address",
        "ray.util.get_current_placement_group", "ray.get_current_placement_group",
    }
)
# Methods that change the container they are called on.
_MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "add", "setdefault", "pop", "popitem", "clear", "remove", "discard",
     "appendleft", "extendleft", "popleft", "put", "put_nowait", "sort", "reverse", "write", "writelines", "send",
     "set", "inc", "observe", "acquire", "release", "seek", "close"}
)
# Calls that write outside the process (files, databases): their order and exclusion may be why the actor exists.
_WRITE_METHODS = frozenset(
    {"write", "writelines", "write_text", "write_bytes", "commit", "execute", "executemany", "executescript",
     "flush", "unlink", "touch", "mkdir", "rmdir", "symlink_to"}
)
_WRITE_FUNCTIONS = frozenset(
    {"os.remove", "os.unlink", "os.rename", "os.replace", "os.makedirs", "os.mkdir", "os.rmdir", "os.removedirs",
     "os.symlink", "os.link", "os.truncate", "os.write", "json.dump", "pickle.dump", "numpy.save", "numpy.savez",
     "torch.save"}
)
# Decorators that keep a method a plain function of its arguments and `self`.
_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})


def runs_calls_concurrently(class_node: ast.ClassDef, options: Dict[str, ast.AST], has_starstar: bool) -> bool:
    """True unless the actor visibly runs one call at a time: async actors, `max_concurrency` above one (or
    not a constant), concurrency groups, and options hidden in `**kwargs` all may run calls side by side."""
    if has_starstar or any(isinstance(item, ast.AsyncFunctionDef) for item in class_node.body):
        return True
    return concurrent_options(options)


def concurrent_options(options: Dict[str, ast.AST]) -> bool:
    """`max_concurrency` above one or unknown, or any concurrency groups."""
    if "concurrency_groups" in options:
        return True
    value = options.get("max_concurrency")
    if value is None:
        return False
    return not (isinstance(value, ast.Constant) and isinstance(value.value, int) and value.value <= 1)


class ActorState:
    """Statelessness of the methods of actor classes of one module, with results cached per method."""

    def __init__(self, names: RayNames):
        self.names = names
        self._cache: Dict[int, Optional[Set[str]]] = {}
        self._init_sets_state: Dict[int, bool] = {}  # id(__init__) -> whether it changes process state

    def runs_one_call_at_a_time(self, class_node: ast.ClassDef, options: Dict[str, ast.AST], has_starstar: bool) -> bool:
        """Not concurrent by its own options, nor async through a method of its own or of a base class."""
        if runs_calls_concurrently(class_node, options, has_starstar):
            return False
        return not any(isinstance(method, ast.AsyncFunctionDef) for method in self._methods(class_node).values())

    def stateless_methods(self, class_node: ast.ClassDef) -> FrozenSet[str]:
        methods = self._methods(class_node)
        return frozenset(name for name in methods if self.is_stateless(class_node, name))

    def is_stateless(self, class_node: ast.ClassDef, method_name: str) -> bool:
        """The method, and every helper of `self` it reaches, uses no actor or process state, and the
        constructor sets up no process state (environment variables, module globals) it might rely on."""
        methods = self._methods(class_node)
        method = methods.get(method_name)
        if method is None or method_name.startswith("__"):
            return False
        init = methods.get("__init__")
        if init is not None and self._sets_process_state(init):
            return False
        return self._stateless(method, methods)

    def _sets_process_state(self, init: ast.FunctionDef) -> bool:
        """Whether a constructor changes process state; asked for every method of its class, walked once."""
        key = id(init)
        if key not in self._init_sets_state:
            local = _local_names(init)
            self._init_sets_state[key] = any(_changes_process_state(node, local) for node in ast.walk(init))
        return self._init_sets_state[key]

    def _methods(self, class_node: ast.ClassDef, depth: int = 0) -> Dict[str, ast.FunctionDef]:
        """The methods a class defines or inherits from base classes of this module (the class's own win);
        a method of a base that is not visible is simply absent, so calling it counts as state."""
        methods: Dict[str, ast.FunctionDef] = {}
        if depth < 8:
            scope = self.names.walk.scopes.get(id(class_node))
            outer = scope.parent if scope is not None else self.names.walk.module_scope
            for base in reversed(class_node.bases):
                value = self.names.value(base, outer)
                if value is not None and value.tag == "class" and value.node is not class_node:
                    methods.update(self._methods(value.node, depth + 1))
        methods.update(_own_methods(class_node))
        return methods

    def _stateless(self, method: ast.FunctionDef, methods: Dict[str, ast.FunctionDef]) -> bool:
        """Every method reachable from `method` through `self` uses no state itself."""
        pending, seen = [method], {id(method)}
        while pending:
            helpers = self._direct_use_cached(pending.pop(), methods)
            if helpers is None:
                return False
            for name in helpers:
                if id(methods[name]) not in seen:
                    seen.add(id(methods[name]))
                    pending.append(methods[name])
        return True

    def _direct_use_cached(self, method: ast.FunctionDef, methods: Dict[str, ast.FunctionDef]) -> Optional[Set[str]]:
        key = id(method)
        if key not in self._cache:
            self._cache[key] = self._direct_use(method, methods)
        return self._cache[key]

    def _direct_use(self, method: ast.FunctionDef, methods: Dict[str, ast.FunctionDef]) -> Optional[Set[str]]:
        """The helper methods `method` reaches through `self`, or None when it uses state itself."""
        decorators = self._decorator_names(method)
        if decorators is None:
            return None
        arguments = list(getattr(method.args, "posonlyargs", [])) + list(method.args.args)
        if "staticmethod" in decorators:
            receiver = None
        elif arguments:
            receiver = arguments[0].arg
        else:
            return None
        local = _local_names(method)
        scope = self.names.walk.scopes.get(id(method))
        helpers: Set[str] = set()
        receiver_reads = 0
        attribute_reads = 0
        for node in ast.walk(method):
            if node is method:
                continue
            if _changes_process_state(node, local):
                return None
            if isinstance(node, ast.Name):
                if node.id == receiver:
                    receiver_reads += 1
                elif isinstance(node.ctx, ast.Load) and node.id in self.names.walk.declared_global() and node.id not in local:
                    return None
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == receiver:
                attribute_reads += 1
                helper = methods.get(node.attr)
                if helper is None or not isinstance(node.ctx, ast.Load):
                    return None
                helpers.add(node.attr)
            elif isinstance(node, ast.Call) and (
                _is_super(node) or self._process_identity(node.func, scope) or self._writes_outside(node, scope)
            ):
                return None
        if receiver_reads != attribute_reads:
            return None  # `self` escapes: passed on, returned, or inspected with getattr/vars
        return helpers

    def _decorator_names(self, method: ast.FunctionDef) -> Optional[Set[str]]:
        """Names of the method's decorators when each is plain (`staticmethod`, `@ray.method(...)`), else None."""
        found = set()
        scope = self.names.walk.scopes.get(id(method))
        outer = scope.parent if scope is not None else self.names.walk.module_scope
        for decorator in method.decorator_list:
            func = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(func, ast.Name) and func.id in _PLAIN_DECORATORS:
                found.add(func.id)
            elif self.names.is_ray(func, outer, "method"):
                found.add("ray.method")
            else:
                return None
        return found

    def _writes_outside(self, call: ast.Call, scope) -> bool:
        """Writing files or a database: an actor may exist precisely to keep such writes in order and one
        at a time, which a fan-out of tasks would not."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _WRITE_METHODS:
            return True
        qual = self.names.qualname(func, scope) if scope is not None else None
        if qual is not None and (qual in _WRITE_FUNCTIONS or qual.startswith("shutil.")):
            return True
        if qual in ("builtins.open", "io.open", "os.open") or (isinstance(func, ast.Attribute) and func.attr == "open"):
            mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
            if mode is None:
                return False
            return not (isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) <= set("rbt"))
        return False

    def _process_identity(self, func: ast.AST, scope) -> bool:
        if scope is None:
            return False
        target = func.value if isinstance(func, ast.Attribute) and func.attr in ("get", "__getitem__") else func
        qual = self.names.qualname(target, scope) or self.names.qualname(func, scope)
        return qual in _PROCESS_IDENTITY


def _changes_process_state(node: ast.AST, local: Iterable[str]) -> bool:
    """`global`/`nonlocal`, or a change to a container from outside the function (`CACHE[k] = v`,
    `os.environ["X"] = "1"`, `RESULTS.append(x)`): state that outlives the call in the worker process."""
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return True
    if isinstance(node, ast.Call):
        return _mutates_outer(node.func, local)
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        return any(_outer_container(target, local) for target in targets)
    return False


def _own_methods(class_node: ast.ClassDef) -> Dict[str, ast.FunctionDef]:
    return {item.name: item for item in class_node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _local_names(function: ast.AST) -> Set[str]:
    """Every name the function binds anywhere in its body (parameters, targets, imports, nested defs)."""
    local: Set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not function:
            local.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            local.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
    return local


def _root_name(expr: ast.AST) -> Optional[str]:
    """`a` for `a`, `a.b`, `a[i]`, `a.b[i].c`."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _outer_container(target: ast.AST, local: Iterable[str]) -> bool:
    """An assignment into an attribute or item of a name from outside the method (`CACHE[k] = v`)."""
    if not isinstance(target, (ast.Attribute, ast.Subscript)):
        if isinstance(target, (ast.Tuple, ast.List)):
            return any(_outer_container(element, local) for element in target.elts)
        return False
    root = _root_name(target)
    return root is not None and root not in local


def _mutates_outer(func: ast.AST, local: Iterable[str]) -> bool:
    """`RESULTS.append(x)` on a name from outside the method."""
    if not isinstance(func, ast.Attribute) or func.attr not in _MUTATORS:
        return False
    root = _root_name(func.value)
    return root is not None and root not in local and root not in BUILTIN_NAMES


def _is_super(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "super"
