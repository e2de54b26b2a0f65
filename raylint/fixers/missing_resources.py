"""RAY003's rewrite: declare the resources in the decorator (or the functional `ray.remote(...)` call).

What an actor needs cannot be read off the code the way a task's default can: an actor needs one CPU
to be placed but holds none while it runs, so `num_cpus=1` (a CPU held for life) can deadlock a program
whose actors used to share the CPUs. Only coordination actors get a fix (`num_cpus=0`, unsafe)."""

from __future__ import annotations

import ast
import re
from typing import Dict, Optional, Tuple


from raylint.fixers.lazy_cst import cst
from raylint.semantics.analysis import keyword_value
from raylint.fixers.base import SAFE, UNSAFE, build_expression_fix, parse_expression
from raylint.fixers.planning import planned_expression
from raylint.fixers.rewrite import with_keyword_argument
from raylint.ftypes import Fix
from raylint.semantics.ray_names import RESOURCE_KEYS

# words in a class name (`ReadySignal`, `progress_tracker`) that mark an actor as coordination, not work
_COORDINATION_WORDS = frozenset({
    "signal", "counter", "logger", "log", "barrier", "coordinator", "semaphore", "lock", "registry", "tracker",
    "monitor", "progress", "metrics", "reporter", "notifier", "queue",
})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
# calls a small-state method may make: bookkeeping, not work
_BOOKKEEPING_CALLS = frozenset({
    "print", "len", "str", "int", "float", "bool", "dict", "list", "set", "tuple", "isinstance", "min", "max",
    "sum", "sorted", "repr", "format",
})
_CONTAINER_METHODS = frozenset({
    "append", "extend", "add", "pop", "popleft", "get", "setdefault", "update", "clear", "remove", "discard",
    "items", "keys", "values", "copy", "insert", "count", "info", "debug", "warning", "error", "set", "wait",
    "is_set", "format", "join",
})
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def declare_resources(context, remote, *, uses_gpu: bool) -> Optional[Fix]:
    """`@ray.remote` -> `@ray.remote(num_cpus=1)` for a task; GPU bodies get `num_gpus=1`; coordination
    actors `num_cpus=0`; other actors, and definitions the analysis cannot see, no fix.

    Safe only for a task without GPU use whose body the analysis sees: `num_cpus=1` is then the default
    made explicit. `num_gpus=1` is unsafe (the task then waits for a GPU node), so is `num_cpus=0` on an
    actor (it can then be placed on a node with no free CPU)."""
    decided = _declaration(context, remote, uses_gpu)
    if decided is None:
        return None
    keyword, value, applicability, title = decided
    return _keyword_fix(context, remote, keyword, value, applicability, title)


def plan_declare_resources(context, remote, *, uses_gpu: bool):
    """What `declare_resources` gives, without its edits, decided on the `ast` alone."""
    decided = _declaration(context, remote, uses_gpu)
    if decided is None:
        return None
    _, _, applicability, title = decided
    return planned_expression(context, remote.report_node, applicability, title)


def _declaration(context, remote, uses_gpu: bool) -> Optional[Tuple[str, str, str, str]]:
    """(keyword, value, applicability, title) of the fix, or None when there is none."""
    if remote.node is None:
        # `ray.remote(X)` with X imported: a function or an actor class, the fix cannot tell
        return None
    if _options_elsewhere(context, remote):
        # the resources arrive through `.options(...)` at some call site: the decorator needs nothing
        return None
    if uses_gpu:
        return "num_gpus", "1", UNSAFE, "Declare `num_gpus=1` so the scheduler gives it a GPU"
    if remote.is_actor:
        if not is_coordination_actor(remote.node):
            return None
        return ("num_cpus", "0", UNSAFE,
                "Declare `num_cpus=0`: a coordination actor holds no CPU (it may then share a busy node)")
    return "num_cpus", "1", SAFE, "Declare `num_cpus=1` (the default, made explicit)"


def is_coordination_actor(cls: ast.ClassDef) -> bool:
    """An actor that coordinates rather than computes: async methods, a signal/counter/logger-like name,
    or methods that only keep small state (no loops, no calls beyond bookkeeping)."""
    methods = [item for item in cls.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if any(isinstance(method, ast.AsyncFunctionDef) for method in methods):
        return True
    if any(word.lower() in _COORDINATION_WORDS for word in _WORD.findall(cls.name)):
        return True
    return bool(methods) and all(_small_state(method) for method in methods)


def _small_state(method: ast.FunctionDef) -> bool:
    for node in ast.walk(method):
        if node is not method and isinstance(node, (_LOOPS, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        if isinstance(node, ast.Call) and not _bookkeeping(node.func):
            return False
    return True


def _bookkeeping(func: ast.AST) -> bool:
    if isinstance(func, ast.Name):
        return func.id in _BOOKKEEPING_CALLS
    # `self.items.append(x)`, `self.log.info(...)`, `logging.info(...)`
    return isinstance(func, ast.Attribute) and func.attr in _CONTAINER_METHODS and isinstance(
        func.value, (ast.Attribute, ast.Name))


def _options_elsewhere(context, remote) -> bool:
    """Some submission sets resources through `.options(...)` (or spreads `**options` there)."""
    return _remotes_given_resources(context).get(id(remote)) is remote


def _remotes_given_resources(context) -> Dict[int, object]:
    """id -> remote definition, for those that some submission gives resources through `.options(...)`;
    one pass over the file's calls, shared by all its findings."""
    found = getattr(context, "_remotes_given_resources", None)
    if found is not None:
        return found
    found = context._remotes_given_resources = {}
    names = context.names
    for site in context.walk.calls:
        func = site.node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "remote"):
            continue
        target = names.submission_target(func.value, site.scope)
        if target is None or target[2] is None:
            continue
        options_call = target[2]
        if any(k.arg is None for k in options_call.keywords) or any(
                keyword_value(options_call, key) is not None for key in RESOURCE_KEYS):
            found[id(target[0])] = target[0]
    return found


def _keyword_fix(context, remote, keyword: str, value: str, applicability: str, title: str) -> Optional[Fix]:
    target: ast.AST = remote.report_node
    if isinstance(target, ast.Call) and _is_functional_call(target):
        # `ray.remote(fn)` -> `ray.remote(num_cpus=1)(fn)`
        def transform(node, style):
            return cst.Call(func=_with_keyword(node.func, keyword, value, style), args=node.args)
    else:
        def transform(node, style):
            return _with_keyword(node, keyword, value, style)
    return build_expression_fix(context, target, transform, applicability, title)


def _is_functional_call(call: ast.Call) -> bool:
    """`ray.remote(fn)` (one positional argument) as opposed to `ray.remote(num_cpus=...)`."""
    return len(call.args) == 1 and not call.keywords


def _with_keyword(node: cst.BaseExpression, keyword: str, value: str, style: cst.Module) -> cst.BaseExpression:
    """`ray.remote` -> `ray.remote(k=v)`; `ray.remote(a=2)` -> `ray.remote(a=2, k=v)`."""
    if isinstance(node, cst.Call):
        return node.with_changes(args=with_keyword_argument(node, keyword, cst.Integer(value)))
    return parse_expression(f"{style.code_for_node(node)}({keyword}={value})", style)
