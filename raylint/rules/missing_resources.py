from __future__ import annotations

import ast
from bisect import bisect_left
from typing import Dict, Iterable, List, Optional, Set, Tuple

from raylint.semantics.analysis import keyword_value
from raylint.fixers.missing_resources import declare_resources, plan_declare_resources
from raylint.semantics.loops import walk_local
from raylint.semantics.ray_names import RESOURCE_KEYS, RemoteDef
from raylint.semantics.unwalked import calls_inside
from raylint.rules.base import LazyFix, Option, Rule

_GPU_DEVICE_PREFIXES = ("cuda", "gpu", "/gpu", "/device:gpu")
_THREAD_KEYWORDS = frozenset({"n_jobs", "nthread", "nthreads", "num_threads", "n_threads", "num_workers", "workers"})
_THREAD_CALLS = frozenset({"torch.set_num_threads", "threadpoolctl.threadpool_limits", "os.sched_setaffinity"})
_BIG_ALLOCATION_BYTES = 1 << 30
# the first component of every qualified name `_gpu_call` accepts (`torch.cuda.*`, `cupy.*`, `vllm.LLM`, ...)
_GPU_LIBRARIES = frozenset({"torch", "cupy", "vllm"})


class MissingResources(Rule):
    """
    ## What it does
    Checks for remote functions and actor classes (`@ray.remote`, `@ray.remote(...)`, `ray.remote(fn)`)
    that declare none of `num_cpus`, `num_gpus`, `memory` or `resources`, unless every call site sets
    them with `.options(...)` (in the module, and in the other checked modules that import and create
    it). A GPU actor class that is stored in a registry (a dict, a registering call) and never created
    in sight is not an error: it is created elsewhere, typically with `.options(**resources)`.
    `ray.remote(X)` with `X` imported from outside the checked files, or an expression raylint cannot
    follow (a class made by `type(...)`), is named as "a remote function or actor": raylint cannot tell
    which. When the body (or any method of an actor) uses a GPU and `num_gpus` is missing, it reports an
    error even if `num_cpus` is set.

    ## Why is this bad?
    Resource requests are the only thing Ray's scheduler knows about a task. Tasks default to one CPU,
    so memory-hungry tasks pack one per core until the node runs out of memory; actors need one CPU to
    be placed but hold zero while running, so any number of them can pile onto one node. GPU code
    without `num_gpus` is a correctness bug: the scheduler does not know the task needs a GPU, so it may
    land on a CPU-only node, and on a GPU node no device is assigned to it.

    Measured on 659 real files written by experienced Ray users, 81% of remote definitions declare no
    resources: set `mode = "needed"` to report only definitions whose body shows a need beyond the
    default (a GPU, multi-threaded libraries, big allocations).

    ## Example
    ```python
    @ray.remote
    def embed(batch):
        model = load_model().cuda()
        return model(batch)
    ```

    ## Use instead
    ```python
    @ray.remote(num_gpus=1)
    def embed(batch):
        model = load_model().cuda()
        return model(batch)
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    A task gets `num_cpus=1`: this is **safe**, since it is Ray's default made explicit (it documents
    the need and is where to right-size it). An actor never gets `num_cpus=1`: it needs one CPU to be
    placed but holds none while running, so a CPU held for life can leave other actors or tasks pending
    forever. A coordination actor (async methods; a signal, counter, logger-like name; or methods that
    keep only small state) gets `num_cpus=0`, which is **unsafe** (it may then be placed on a busy
    node); any other actor gets no fix, since only its author knows what it needs. A body that uses a
    GPU gets `num_gpus=1`, which is **unsafe** (it now waits for a GPU node) but is usually a
    correctness fix. There is no fix when a call site passes the resources through `.options(...)`, or
    for `ray.remote(X)` with `X` imported (a function or an actor class: the analysis cannot tell).
    `memory` is never guessed.

    ## Options
    - `mode` (default `"all"`): `"all"` reports every definition without resources; `"needed"` only
      those whose body needs more than the default.

    ## References
    - [Resources](https://docs.ray.io/en/latest/ray-core/scheduling/resources.html)
    - [Pattern: Using resources to limit the number of concurrently running tasks](https://docs.ray.io/en/latest/ray-core/patterns/limit-running-tasks.html)
    - [Accelerator support](https://docs.ray.io/en/latest/ray-core/scheduling/accelerators.html)
    """

    code = "RAY003"
    name = "missing-resources"
    summary = "Remote function or actor declares no resources"
    fix_availability = "Sometimes"
    options = {
        "mode": Option("mode", "all", "Report every definition (all) or only those whose body needs more (needed)",
                       choices=("all", "needed")),
    }

    def run(self) -> None:
        self._submitted: Optional[Dict[int, Tuple[RemoteDef, List[Optional[ast.Call]]]]] = None
        self._gpu_candidates: Optional[List[Tuple[int, int]]] = None
        self._registered: Optional[Tuple[Set[str], Set[str]]] = None
        names = self.analysis.names
        for remote in names.remote_definitions():
            if remote.has_starstar or remote.report_node is None:
                continue
            declared = set(remote.options) & RESOURCE_KEYS
            uses_gpu = remote.node is not None and self._uses_gpu(remote.node)
            if uses_gpu and "num_gpus" not in declared:
                if self._every_call_site_declares(remote, ("num_gpus",)) or self._created_through_registry(remote):
                    continue
                what = "Actor" if remote.is_actor else "Remote function"
                self.report(
                    remote.report_node,
                    f"{what} `{remote.name}` uses a GPU but does not declare `num_gpus`: the scheduler does not "
                    f"know it needs one, so it may land on a CPU-only node, and on a GPU node no device is "
                    f"assigned to it",
                    severity="error",
                    fix=self._fix(remote, uses_gpu=True),
                )
                continue
            if declared:
                continue
            if self.settings["mode"] == "needed" and not self._needs_more(remote):
                continue
            if self._every_call_site_declares(remote, RESOURCE_KEYS):
                continue
            self.report(
                remote.report_node,
                self._message(remote),
                fix=self._fix(remote, uses_gpu=False),
            )

    def _fix(self, remote: RemoteDef, *, uses_gpu: bool) -> LazyFix:
        return LazyFix(build=lambda: declare_resources(self.analysis, remote, uses_gpu=uses_gpu),
                       plan=lambda: plan_declare_resources(self.analysis, remote, uses_gpu=uses_gpu))

    @staticmethod
    def _message(remote: RemoteDef) -> str:
        if remote.node is None:
            # X is imported and not among the checked files, or an expression raylint cannot follow (a class
            # made by `type(...)`): it may be a function or an actor class
            named = all(part.isidentifier() for part in remote.name.split("."))
            where = "defined elsewhere" if named else "which raylint cannot follow"
            return (
                f"`ray.remote({remote.name})` makes a remote function or actor of `{remote.name}`, {where}, and "
                f"declares no resources (`num_cpus`, `num_gpus`, `memory`); state what it needs so the scheduler "
                f"can place it"
            )
        if remote.is_actor:
            return (
                f"Actor `{remote.name}` declares no resources: it needs one CPU to be placed but holds none while "
                f"running, so any number of them can pile onto one node; set `num_cpus` (and `memory`)"
            )
        return (
            f"Remote function `{remote.name}` declares no resources (`num_cpus`, `num_gpus`, `memory`); "
            f"state what it needs so the scheduler can place it"
        )

    def _every_call_site_declares(self, remote: RemoteDef, keys: Iterable[str]) -> bool:
        """True when the definition is submitted (or created) at least once and every submission sets one
        of `keys` through `.options(...)`, in this module and in the other checked modules that import it."""
        names = self.analysis.names
        keys = frozenset(keys)
        seen = False
        submitted, options_calls = self._submissions().get(id(remote), (None, ()))
        for options_call in options_calls if submitted is remote else ():
            seen = True
            if options_call is None:
                return False
            spread = any(keyword.arg is None for keyword in options_call.keywords)
            # `.options(**opts)` cannot be checked, so it gets the benefit of the doubt, like `**opts`
            # in the decorator
            if not spread and not any(keyword_value(options_call, key) is not None for key in keys):
                return False
        elsewhere = ()
        if remote.node is not None and remote.qualname and names.index is not None:
            elsewhere = names.index.creation_sites(remote.qualname)
        for site_keys in elsewhere:
            seen = True
            if "**" not in site_keys and not site_keys & keys:
                return False
        return seen

    def _submissions(self) -> Dict[int, Tuple[RemoteDef, List[Optional[ast.Call]]]]:
        """id(remote definition) -> (it, the `.options(...)` call of each of its submissions or None without
        one), from the module's submissions, which every definition's check reads."""
        if self._submitted is None:
            self._submitted = {}
            for _site, (remote, method, options_call) in self.analysis.names.submissions():
                if method is None:
                    self._submitted.setdefault(id(remote), (remote, []))[1].append(options_call)
        return self._submitted

    def _created_through_registry(self, remote: RemoteDef) -> bool:
        """The class is stored in a container or handed to a call (a registry, `RayClassWithInitArgs(cls=X)`),
        and no call site that creates it is visible: it is created elsewhere, typically with
        `.options(**resources)` whose keys raylint cannot read."""
        if remote.node is None or not isinstance(remote.node, ast.ClassDef):
            return False
        escaping, created = self._registry_names()
        # created (or configured) in sight: the call-site check decides
        return remote.node.name in escaping and remote.node.name not in created

    def _registry_names(self) -> Tuple[Set[str], Set[str]]:
        """(names stored in a container or passed to a call, names `X` of an `X.remote` or `X.options`), from
        one pass over the module shared by every actor class asked about."""
        if self._registered is None:
            escaping: Set[str] = set()
            created: Set[str] = set()
            for node in ast.walk(self.analysis.tree):
                if isinstance(node, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
                    values = node.values if isinstance(node, ast.Dict) else node.elts
                    escaping.update(v.id for v in values if isinstance(v, ast.Name))
                elif isinstance(node, ast.Call):
                    arguments = list(node.args) + [k.value for k in node.keywords]
                    escaping.update(a.id for a in arguments if isinstance(a, ast.Name))
                elif isinstance(node, ast.Attribute) and node.attr in ("remote", "options"):
                    if isinstance(node.value, ast.Name):
                        created.add(node.value.id)
            self._registered = (escaping, created)
        return self._registered

    def _bodies(self, node: ast.AST) -> List[ast.AST]:
        if isinstance(node, ast.ClassDef):
            return [item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
        return [node]

    def _uses_gpu(self, node: ast.AST) -> bool:
        if not self._may_use_gpu(node):
            return False
        scopes = self.analysis.walk.scopes
        return any(self._gpu_in(body.body, scopes.get(id(body))) for body in self._bodies(node))

    def _may_use_gpu(self, node: ast.AST) -> bool:
        """A call `_gpu_call` could accept starts inside `node`; when none does, `_uses_gpu` is False.

        Why this is exact: `_gpu_in` only ever passes to `_gpu_call` calls that are descendants of `node` (in
        the bodies of the function or of the actor's methods), and a descendant starts inside its ancestor's
        span. `_gpu_call` accepts a call (whatever the scope) only when (a) its function is `<x>.cuda`,
        (b) its first argument or its `device=` is a GPU string (this covers `.to("cuda")` and
        `torch.device("cuda")`-like calls), or (c) its qualified name starts with `torch.cuda.`, `cupy.` or
        `vllm.`. Qualified names come only from import bindings (plus `builtins.`), extended by attributes, so
        (c) needs an import of one of `_GPU_LIBRARIES`; with one anywhere in the module every call counts as
        a candidate. Candidates are taken from every call in the bodies `_gpu_in` reads, the few that
        `walk.calls` skips included."""
        starts = self._gpu_call_starts()
        index = bisect_left(starts, (node.lineno, node.col_offset))
        return index < len(starts) and starts[index] < (node.end_lineno, node.end_col_offset)

    def _gpu_call_starts(self) -> List[Tuple[int, int]]:
        """The sorted start positions of the module's calls that `_gpu_call` could accept."""
        if self._gpu_candidates is None:
            bodies = [body for remote in self.analysis.names.remote_definitions() if remote.node is not None
                      for body in self._bodies(remote.node)]
            calls = calls_inside(self.analysis.walk, bodies)
            every_call = self._imports_gpu_library()
            self._gpu_candidates = sorted(
                (call.lineno, call.col_offset) for call in calls if every_call or _may_be_gpu_call(call)
            )
        return self._gpu_candidates

    def _imports_gpu_library(self) -> bool:
        """Some import, in any scope, binds a name whose qualified name starts with a GPU library."""
        return not self.analysis.names.imported_roots().isdisjoint(_GPU_LIBRARIES)

    def _gpu_in(self, statements, scope) -> bool:
        """GPU use in these statements, skipping code guarded by `if torch.cuda.is_available():` (a CPU
        fallback: whether the task needs a GPU is then the user's call, so the rule stays quiet)."""
        for statement in statements:
            if isinstance(statement, ast.If) and self._checks_gpu(statement.test, scope):
                if self._gpu_in(statement.orelse, scope):
                    return True
                continue
            nested = [getattr(statement, field, None) for field in ("body", "orelse", "finalbody", "handlers")]
            if any(isinstance(block, list) and block for block in nested) and not isinstance(
                statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                header = [getattr(statement, field) for field in ("test", "iter", "items", "subject")
                          if getattr(statement, field, None) is not None]
                for part in header:
                    parts = part if isinstance(part, list) else [part]
                    if any(self._gpu_expr(p, scope) for p in parts):
                        return True
                if any(self._gpu_in(block, scope) for block in nested if isinstance(block, list)):
                    return True
                continue
            if isinstance(statement, ast.ExceptHandler):
                if self._gpu_in(statement.body, scope):
                    return True
                continue
            if self._gpu_expr(statement, scope):
                return True
        return False

    def _gpu_expr(self, node: ast.AST, scope) -> bool:
        return any(isinstance(child, ast.Call) and self._gpu_call(child, scope) for child in walk_local(node))

    def _checks_gpu(self, test: ast.AST, scope) -> bool:
        return scope is not None and any(
            isinstance(node, ast.Call) and self.analysis.names.qualname(node.func, scope) == "torch.cuda.is_available"
            for node in ast.walk(test)
        )

    def _gpu_call(self, call: ast.Call, scope) -> bool:
        func = call.func
        qual = self.analysis.names.qualname(func, scope) if scope is not None else None
        if qual is not None:
            if qual.startswith("torch.cuda.") and qual != "torch.cuda.is_available":
                return True
            if qual.startswith("cupy.") or qual in ("vllm.LLM", "vllm.AsyncLLMEngine"):
                return True
            if qual in ("torch.device", "jax.devices", "tensorflow.device") and _names_gpu(_first_argument(call)):
                return True
        if isinstance(func, ast.Attribute):
            if func.attr == "cuda":
                return True
            if func.attr == "to" and _names_gpu(_first_argument(call)):
                return True
        device = keyword_value(call, "device")
        return _names_gpu(device)

    def _needs_more(self, remote: RemoteDef) -> bool:
        """`mode = "needed"`: the body shows a need beyond one CPU: threads or a big allocation."""
        if remote.node is None:
            return False
        scopes = self.analysis.walk.scopes
        for body in self._bodies(remote.node):
            scope = scopes.get(id(body))
            for part in body.body:
                for child in walk_local(part):
                    if not isinstance(child, ast.Call):
                        continue
                    if any(k.arg in _THREAD_KEYWORDS and not _is_one(k.value) for k in child.keywords):
                        return True
                    if scope is not None:
                        if self.analysis.names.qualname(child.func, scope) in _THREAD_CALLS:
                            return True
                        size = self.analysis.estimate.size_bytes(child, scope)
                        if size is not None and size >= _BIG_ALLOCATION_BYTES:
                            return True
        return False


def _may_be_gpu_call(call: ast.Call) -> bool:
    """What `_gpu_call` can accept in any scope, qualified names of GPU libraries aside."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "cuda":
        return True
    # `_first_argument` is the first positional argument, or else `device=`
    if call.args and _names_gpu(call.args[0]):
        return True
    return any(keyword.arg == "device" and _names_gpu(keyword.value) for keyword in call.keywords)


def _first_argument(call: ast.Call) -> Optional[ast.AST]:
    return call.args[0] if call.args else keyword_value(call, "device")


def _names_gpu(expr: Optional[ast.AST]) -> bool:
    return (
        isinstance(expr, ast.Constant)
        and isinstance(expr.value, str)
        and expr.value.lower().startswith(_GPU_DEVICE_PREFIXES)
    )


def _is_one(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and expr.value == 1


RULE = MissingResources
