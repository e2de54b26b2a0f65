"""Every call inside chosen functions, for a check that must not miss one: `ModuleWalk.calls` leaves some out.

The walk visits what rules read as code and skips a few sub-trees: the parameter annotations and type
parameters of defs and classes, the annotation of `x: T = v` and the target of a bare `x.y: T`, and the
keywords of `map(lambda ...)` (visited in its own order, keywords forgotten). Calls there are rare, but
a pre-check that claims "no call in this body can match" has to count them too.
"""

from __future__ import annotations

import ast
from typing import Collection, Dict, Iterator, List, Optional

from raylint.semantics.analysis import ModuleWalk


def calls_inside(walk: ModuleWalk, functions: Collection[ast.AST]) -> List[ast.Call]:
    """The calls in the bodies of `functions` (defs or lambdas), nested functions and their defaults and
    annotations included."""
    inside = _Inside(walk, functions)
    found: List[ast.Call] = []
    for site in walk.calls:
        if inside(site.function):
            call = site.node
            found.append(call)
            func = call.func
            if isinstance(func, ast.Name) and func.id == "map" and call.keywords:
                found.extend(_calls_in(keyword.value for keyword in call.keywords))
    for definition in walk.definitions:
        if inside(definition.scope.function):
            node = definition.node
            skipped = list(getattr(node, "type_params", ()))
            if not isinstance(node, ast.ClassDef):
                args = node.args
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                skipped.extend(arg.annotation for arg in every if arg is not None and arg.annotation is not None)
            found.extend(_calls_in(skipped))
    for statement, scope in walk.annotated:
        if inside(scope.function):
            found.extend(_calls_in((statement.annotation, statement.target)))
    return found


class _Inside:
    """Is a function (the `.function` of a call site or scope) one of the chosen ones or nested in one? Each
    function's answer is kept, so a module costs about one dictionary look-up per call."""

    def __init__(self, walk: ModuleWalk, functions: Collection[ast.AST]):
        self._scopes = walk.scopes
        self._chosen = {id(function) for function in functions}
        self._known: Dict[int, bool] = {}

    def __call__(self, function: Optional[ast.AST]) -> bool:
        if function is None:
            return False
        known = self._known.get(id(function))
        if known is not None:
            return known
        path = []
        answer = False
        while function is not None:
            known = self._known.get(id(function))
            if known is not None:
                answer = known
                break
            path.append(id(function))
            if id(function) in self._chosen:
                answer = True
                break
            function = self._scopes[id(function)].parent.function
        for key in path:
            self._known[key] = answer
        return answer


def _calls_in(nodes) -> Iterator[ast.Call]:
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                yield child
