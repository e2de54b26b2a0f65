"""The project-wide index of remote definitions, so a submission of an imported remote function can
use its definition (its options, whether its body is trivial) when that module is being checked too."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from raylint.semantics.actor_state import ActorState
from raylint.semantics.cost import is_trivial
from raylint.semantics.ray_names import NOT_REMOTE, RemoteDef


@dataclass(frozen=True)
class RemoteSummary:
    """What other modules need to know about a module-level remote function or actor class."""

    qualname: str
    name: str
    is_actor: bool
    option_keys: FrozenSet[str]
    has_starstar: bool
    streaming: bool
    trivial: bool
    trivial_methods: FrozenSet[str]
    # methods of a one-call-at-a-time actor that use no actor state (RAY113)
    stateless_methods: FrozenSet[str] = frozenset()
    # Where it is defined (the `def`/`class` line and its last line), for `raylint doctor --source`;
    # not compared, so moving a definition does not make the files that use it stale.
    row: int = field(default=0, compare=False)
    end_row: int = field(default=0, compare=False)

    def as_remote_def(self) -> RemoteDef:
        return RemoteDef(self.name, None, self.is_actor, None, {}, self.has_starstar, self.qualname, summary=self)


@dataclass(frozen=True)
class CreationSites:
    """How one module submits or creates a remote defined in another module: the option keys of each
    call site (`Cls.options(num_gpus=1).remote()` gives {"num_gpus"}, `.options(**res)` gives {"**"})."""

    qualname: str
    sites: Tuple[FrozenSet[str], ...]


# the rules that read a summary's `trivial`/`trivial_methods` and its `stateless_methods`
TINY_TASKS = "RAY004"
STATELESS_ACTORS = "RAY113"
CREATIONS = "creations:"  # index key prefix: the creation sites of a remote, by its qualified name


class ProjectIndex:
    """Qualified name -> RemoteSummary over the checked modules, recording which names each file
    asked for (a file's findings depend on those answers, which matters for the cache)."""

    def __init__(self, summaries: Iterable = (), modules: Iterable[str] = ()):
        self._by_name: Dict[str, object] = {}
        for summary in summaries:
            if isinstance(summary, CreationSites):
                key = CREATIONS + summary.qualname
                self._by_name[key] = tuple(sorted(set(self._by_name.get(key, ())) | set(summary.sites), key=sorted))
            else:
                self._by_name[summary.qualname] = summary
        self._modules: FrozenSet[str] = frozenset(modules)
        self.queries: Set[str] = set()

    def lookup(self, qualname: str):
        """The summary, NOT_REMOTE for a name of a checked module that is not remote, or None if unknown."""
        self.queries.add(qualname)
        return self.get(qualname)

    def creation_sites(self, qualname: str) -> Tuple[FrozenSet[str], ...]:
        """The option keys of each site in other checked modules that creates or submits `qualname`."""
        return self.lookup(CREATIONS + qualname) or ()

    def get(self, qualname: str):
        found = self._by_name.get(qualname)
        if found is None and not qualname.startswith(CREATIONS) and qualname.rpartition(".")[0] in self._modules:
            return NOT_REMOTE
        return found

    def fresh(self) -> "ProjectIndex":
        """The same index with an empty query log, for the next file."""
        other = ProjectIndex()
        other._by_name = self._by_name
        other._modules = self._modules
        return other


def summarize(context, enabled: Optional[FrozenSet[str]] = None) -> List[object]:
    """Summaries of the remote definitions bound at module level in one file, and the creation sites of
    remotes defined elsewhere. With `enabled`, the facts only a rule left out would read are not worked
    out (left empty): whether functions are trivial (RAY004) and which actor methods are stateless (RAY113)."""
    tiny = enabled is None or TINY_TASKS in enabled
    stateless = enabled is None or STATELESS_ACTORS in enabled
    names = context.names
    if not names.imports_ray:
        return []
    module_scope = context.walk.module_scope
    summaries: List[object] = _creation_sites(context)
    bound_names = _module_level_names(module_scope)
    state = ActorState(names)
    for remote in names.remote_definitions():
        bound = _module_level_name(remote, bound_names)
        if bound is None:
            continue
        node = remote.node
        trivial_methods = stateless_methods = frozenset()
        if (stateless and remote.is_actor and isinstance(node, ast.ClassDef)
                and state.runs_one_call_at_a_time(node, remote.options, remote.has_starstar)):
            stateless_methods = state.stateless_methods(node)
        if tiny and remote.is_actor and node is not None:
            body_scope = context.walk.scopes.get(id(node))
            trivial_methods = frozenset(
                item.name for item in node.body if is_trivial(item, names, context.walk.scopes.get(id(item), body_scope))
            )
        summaries.append(
            RemoteSummary(
                qualname=f"{context.module_name}.{bound}" if context.module_name else bound,
                name=bound,
                is_actor=remote.is_actor,
                option_keys=frozenset(remote.options),
                has_starstar=remote.has_starstar,
                streaming=remote.streaming,
                trivial=tiny and (not remote.is_actor) and node is not None
                and is_trivial(node, names, context.walk.scopes.get(id(node))),
                trivial_methods=trivial_methods,
                stateless_methods=stateless_methods,
                row=getattr(node, "lineno", 0) or getattr(remote.report_node, "lineno", 0),
                end_row=getattr(node, "end_lineno", 0) or getattr(remote.report_node, "end_lineno", 0),
            )
        )
    return summaries


def _creation_sites(context) -> List[CreationSites]:
    """`Cls.remote()` / `Cls.options(...).remote()` of a remote imported from another module."""
    names = context.names
    sites: Dict[str, List[FrozenSet[str]]] = {}
    for site in names.calls_of("remote"):
        func = site.node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "remote"):
            continue
        base, options_call = func.value, None
        if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute) and base.func.attr == "options":
            base, options_call = base.func.value, base
        value = names.value(base, site.scope)
        if value is None or value.tag != "qual" or value.qual.startswith(("ray.", "builtins.")):
            continue
        qualname = value.qual
        keys = frozenset()
        if options_call is not None:
            keys = frozenset(k.arg if k.arg is not None else "**" for k in options_call.keywords)
        sites.setdefault(qualname, []).append(keys)
    return [CreationSites(qualname, tuple(found)) for qualname, found in sites.items()]


def _module_level_names(module_scope) -> Tuple[Dict[int, Tuple[int, str]], Dict[int, Tuple[int, str]]]:
    """What module-level names are bound to, built once so that naming every remote definition stays linear
    in the size of the module: (id of a def/class node -> (order of the binding, name), id of an assigned
    value or of the function it calls -> (order, name)). The first binding in order wins."""
    defs: Dict[int, Tuple[int, str]] = {}
    values: Dict[int, Tuple[int, str]] = {}
    order = 0
    for name, bindings in module_scope.bindings.items():
        for binding in bindings:
            order += 1
            kind = binding.kind
            if kind == "def" or kind == "class":
                key = id(binding.node)
                if key not in defs:
                    defs[key] = (order, name)
            elif kind == "assign":
                # `f = ray.remote(g)` or `f = ray.remote(num_cpus=1)(g)`: the value or the function it calls
                for key in (id(binding.value), id(getattr(binding.value, "func", None))):
                    if key not in values:
                        values[key] = (order, name)
    return defs, values


def _module_level_name(remote: RemoteDef, bound) -> Optional[str]:
    """The module-level name a remote definition is bound to (`def f`, or `f = ray.remote(g)`)."""
    defs, values = bound
    found = values.get(id(remote.report_node))
    if remote.report_node in getattr(remote.node, "decorator_list", ()):
        by_def = defs.get(id(remote.node))
        if by_def is not None and (found is None or by_def < found):
            found = by_def
    return found[1] if found is not None else None
