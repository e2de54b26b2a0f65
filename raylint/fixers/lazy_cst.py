"""libcst, imported when a fix is first built rather than when raylint starts.

Importing libcst costs more than everything else raylint imports together, and most runs never build
a fix: `check` only plans them, and a run answered from the cache lints nothing. Fixers therefore use
`cst` from here: a stand-in that imports libcst on its first attribute access and from then on holds
libcst's names as its own attributes (so later lookups cost what a module attribute costs).
Classes that extend libcst's visitors are declared with `libcst_class`, which creates the real class
on first use.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, List


class LazyModule:
    """A module imported on first attribute access."""

    def __init__(self, name: str):
        self.__dict__["_lazy_name"] = name

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__dict__["_lazy_name"])
        self.__dict__.update(vars(module))
        return getattr(module, attribute)


cst: Any = LazyModule("libcst")
cst_metadata: Any = LazyModule("libcst.metadata")


def libcst_class(base: str) -> Callable[[type], Callable[..., Any]]:
    """Decorate a class whose real base is libcst's `base` (`CSTTransformer`, `CSTVisitor`): the name
    becomes a constructor that builds the class with that base the first time it is called."""

    def wrap(body: type) -> Callable[..., Any]:
        made: List[type] = []

        def construct(*args: Any, **kwargs: Any) -> Any:
            if not made:
                made.append(type(body.__name__, (body, getattr(cst, base)), {"__doc__": body.__doc__}))
            return made[0](*args, **kwargs)

        construct.__name__ = construct.__qualname__ = body.__name__
        construct.__doc__ = body.__doc__
        return construct

    return wrap
