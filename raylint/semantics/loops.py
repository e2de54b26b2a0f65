"""Questions about loop frames: does it run once, what does it bind, does an expression depend on it."""

from __future__ import annotations

import ast
from typing import Dict, FrozenSet, Iterable, Iterator, Set

from raylint.semantics.analysis import Loop

_SCOPE_ENDS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def walk_local(node: ast.AST) -> Iterator[ast.AST]:
    """Like ast.walk, but does not enter nested function, lambda or class bodies."""
    # ast.iter_child_nodes inlined (same children, same order): rules walk every function this way
    stack = [node]
    push = stack.append
    while stack:
        current = stack.pop()
        yield current
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and not isinstance(item, _SCOPE_ENDS):
                        push(item)
            elif isinstance(value, ast.AST) and not isinstance(value, _SCOPE_ENDS):
                push(value)


def names_read(expr: ast.AST) -> Set[str]:
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def target_names(target: ast.AST) -> Set[str]:
    """Names a target binds; `d[k] = v` and `obj.x = v` mutate, they bind nothing."""
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def loop_body(loop: Loop):
    """The statements or expressions evaluated on every iteration of `loop`."""
    node = loop.node
    if loop.kind in ("for", "while"):
        return list(node.body) + list(node.orelse) + ([node.test] if loop.kind == "while" else [])
    if loop.kind == "map":
        return [node.args[0].body]
    clauses = node.generators
    index = clauses.index(loop.clause)
    later = []
    for clause in clauses[index:]:
        later.extend(clause.ifs)
        if clause is not loop.clause:
            later.append(clause.iter)
    if isinstance(node, ast.DictComp):
        return later + [node.key, node.value]
    return later + [node.elt]


class LoopFacts:
    """Cached facts about loop frames, shared by the rules of one module."""

    def __init__(self):
        self._bound: Dict[int, FrozenSet[str]] = {}
        self._assignments: Dict[int, Dict[str, list]] = {}
        self._reads: Dict[int, Dict[str, list]] = {}

    @staticmethod
    def _key(loop: Loop) -> int:
        return id(loop.clause) if loop.clause is not None else id(loop.node)

    def assignments(self, loop: Loop) -> Dict[str, list]:
        """Name -> (value expression, statement) for each assignment to it inside the loop body."""
        key = self._key(loop)
        if key not in self._assignments:
            found: Dict[str, list] = {}

            def add(targets, value, statement):
                for target in targets:
                    for name in target_names(target):
                        found.setdefault(name, []).append((value, statement))

            for part in loop_body(loop):
                for node in walk_local(part):
                    if isinstance(node, ast.Assign):
                        add(node.targets, node.value, node)
                    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                        add([node.target], node.value, node)
                    elif isinstance(node, (ast.For, ast.AsyncFor)):
                        add([node.target], node.iter, node)
                    elif isinstance(node, ast.comprehension):
                        add([node.target], node.iter, node.iter)
                    elif isinstance(node, ast.NamedExpr):
                        add([node.target], node.value, node)
                    elif isinstance(node, (ast.With, ast.AsyncWith)):
                        add([i.optional_vars for i in node.items if i.optional_vars is not None],
                            node.items[0].context_expr, node)
            self._assignments[key] = found
        return self._assignments[key]

    def reads(self, loop: Loop) -> Dict[str, list]:
        """Name -> (line, column) of each read of it inside the loop body."""
        key = self._key(loop)
        if key not in self._reads:
            found: Dict[str, list] = {}
            for part in loop_body(loop):
                for node in walk_local(part):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                        found.setdefault(node.id, []).append((node.lineno, node.col_offset))
            self._reads[key] = found
        return self._reads[key]

    def bound(self, loop: Loop) -> FrozenSet[str]:
        """Names that can take a new value on each iteration: the targets and names assigned in the body."""
        key = self._key(loop)
        if key not in self._bound:
            names = set(self.assignments(loop))
            if loop.target is not None:
                names |= target_names(loop.target)
            if loop.kind == "map":
                names |= {a.arg for a in loop.node.args[0].args.args}
            self._bound[key] = frozenset(names)
        return self._bound[key]

    def depends_on(self, expr: ast.AST, loops: Iterable[Loop]) -> bool:
        """True when `expr` reads a name that changes from one iteration of any of `loops` to the next."""
        names = names_read(expr)
        return any(names & self.bound(loop) for loop in loops)


def runs_once(loop: Loop) -> bool:
    """`for _ in range(1)`, a one-element literal, or `while True:` ending in an unconditional exit."""
    if loop.kind == "while":
        node = loop.node
        body = node.body
        return bool(body) and isinstance(body[-1], (ast.Break, ast.Return, ast.Raise))
    iterable = loop.iter
    if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
        return len(iterable.elts) <= 1 and not any(isinstance(e, ast.Starred) for e in iterable.elts)
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.func.id == "range"
        and len(iterable.args) == 1
        and isinstance(iterable.args[0], ast.Constant)
        and isinstance(iterable.args[0].value, int)
    ):
        return iterable.args[0].value <= 1
    return False
