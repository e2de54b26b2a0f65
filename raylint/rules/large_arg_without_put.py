from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from raylint.semantics.analysis import call_arguments, node_contains, Binding, CallSite
from raylint.semantics.estimate import LARGE
from raylint.fixers.large_arg_without_put import PutOnce
from raylint.semantics.loops import runs_once
from raylint.rules.base import LazyFix, Option, Rule


class LargeArgWithoutPut(Rule):
    """
    ## What it does
    Checks for a large value (a numpy/pandas/torch/arrow object of constant-folded size, a big list or
    comprehension, a model, or any dataset loaded on the driver) passed by value to a Ray submission
    inside a loop, or to two or more submission sites in the same scope, when the value does not change
    between the calls. Values big by type count even when their size cannot be folded: `PIL.Image.open`,
    `AutoTokenizer`/`AutoModel*.from_pretrained`, `torch.load`, `pickle.load`, `joblib.load`,
    `datasets.load_dataset` (the list is `raylint.semantics.estimate.LARGE_OBJECT_CALLS`; `extra-large-calls` adds
    yours). A name bound on both paths of an `if`/`else` is large when every binding is. The same holds
    for values handed to Ray's `ray.util.multiprocessing.Pool` (`apply_async(f, (big, x))` in a loop,
    `starmap(f, [(big, x) for x in xs])`, `map(partial(f, big), xs)`), which pickles its arguments
    into every task.

    ## Why is this bad?
    Ray inlines small arguments, but stores anything larger than about 100 KiB in the object store
    *for each call*, and it does not deduplicate identical values. Passing the same 400 MB frame to 50
    tasks serialises it 50 times and can hold 50 copies, which leads to spilling,
    `ObjectStoreFullError` and slow submission. `ray.put` stores one copy that every worker on a node
    reads without copying (for numpy and Arrow buffers).

    The rule stays quiet on ObjectRefs and actor handles, on values that change per iteration, on
    scalars, short strings and small literal configs, and on values whose size it cannot work out
    (unless `unknown-size` is set). A value of unknown size still counts when the same function also
    `ray.put`s it (`ref = ray.put(frame)`, then `Actor.remote(frame)` per worker): its author knows it
    is large, and the ref is right there.

    ## Example
    ```python
    matrix = np.zeros((4096, 4096))
    refs = [row_sum.remote(matrix, i) for i in range(50)]
    ```

    ## Use instead
    ```python
    matrix = np.zeros((4096, 4096))
    matrix_ref = ray.put(matrix)
    refs = [row_sum.remote(matrix_ref, i) for i in range(50)]
    ```
    Ray resolves a top-level ObjectRef argument back to its value, so the task's code does not change.
    For pure-Python objects (lists, dicts) every worker still deserialises its own copy
    (ray-project/ray#45731): prefer numpy or Arrow layouts for very large shared data.

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    The fix inserts `matrix_ref = ray.put(matrix)` once in the function that holds the call sites (in the
    module's own spelling: `r.put`, `put`), after the value is bound and after any `ray.init(...)` there,
    right before the first call site and outside every loop the value is not rebound in, and passes
    `matrix_ref` at every call site of that function. It is **safe** when the value is a plain local or
    module name bound once by assignment and nothing may change it between the put and the last call:
    no item, attribute or augmented assignment, no known mutating method (`.fill`, `.append`, `.update`,
    `.sort`, `.resize`, `inplace=True`, torch's `add_`...), no `out=`, no alias, and no hand-off to a
    function not known to only read it, in that stretch or in any other function that sees the value.
    Otherwise it is **unsafe**, and also when a call site runs in a lambda or a generator expression that
    is not consumed at once (it submits later, after the value may have changed), when a callee is
    imported from a module raylint does not index (its `.remote` may not be Ray's), when the value is bound
    to another object or a view of one (`data = base[1:]`, `np.asarray(base)`), or a part of it that may
    share its memory is bound to a name anywhere (`row = data[0]`, `t = data.T`), when the put would move out of a `try` or `with` around a call site (a failing put would
    raise outside it), and for parameters and values of unknown size (`unknown-size`), which may already
    be ObjectRefs. There is no fix when neither `ray` nor `ray.put` is bound where the put would go (no
    import is added), when `ray.init` follows the first call site or `ray.shutdown` comes between the
    calls, when the value is bound after the first call site, or when the call sits in a class body or
    shares its line with other statements. For pure-Python objects each worker still deserialises its own
    copy (ray-project/ray#45731): the fix removes the repeated serialisation and the object-store copies,
    not the memory each worker uses. A name bound on several paths and the `Pool` findings get no fix.

    ## Options
    - `min-bytes` (default 102400): the size from which a value counts as large.
    - `unknown-size` (default false): also report names of unknown size passed to submissions in a loop
      (on real code these are mostly ints and configs, hence off).
    - `extra-large-calls` (default `[]`): dotted names of functions whose result is large, e.g.
      `["mypkg.models.load_encoder"]`.

    ## References
    - [Anti-pattern: Passing the same large argument by value repeatedly harms performance](https://docs.ray.io/en/latest/ray-core/patterns/pass-large-arg-by-value.html)
    - [Tips for first-time users, tip 3](https://docs.ray.io/en/latest/ray-core/tips-for-first-time.html)
    """

    code = "RAY002"
    name = "large-arg-without-put"
    summary = "The same large value is passed by value to many `.remote()` calls"
    fix_availability = "Sometimes"
    options = {
        "min-bytes": Option("min-bytes", 102400, "Size in bytes from which a value counts as large"),
        "unknown-size": Option("unknown-size", False, "Also report values whose size cannot be worked out"),
        "extra-large-calls": Option(
            "extra-large-calls", [], "Dotted names of functions whose result is large (a model loader, say)"
        ),
    }

    def run(self) -> None:
        names = self.analysis.names
        self._joined: set = set()  # bindings standing for a name bound on several paths: no one put fits all
        self._put_too: set = set()  # values the same function also `ray.put`s: large in its author's view
        self._first_names: Dict[int, Dict[str, List[ast.Call]]] = {}
        submissions = [site for site, _ in names.submissions()]
        # (binding of the argument) -> the sites that pass it, to find values shared by several sites
        sharing: Dict[Tuple[int, int], List[Tuple[CallSite, ast.AST, Binding, Optional[int]]]] = {}
        for site in submissions:
            for argument in call_arguments(site.node):
                candidate = self._candidate(site, argument)
                if candidate is None:
                    continue
                binding, size = candidate
                key = (id(binding), id(site.function))
                sharing.setdefault(key, []).append((site, argument, binding, size))
        # binding -> every submission passing it: the fix replaces the argument at all of them at once
        sites_of: Dict[int, List[CallSite]] = {}
        for uses in sharing.values():
            for site, _, binding, _ in uses:
                sites = sites_of.setdefault(id(binding), [])
                if not any(known.node is site.node for known in sites):
                    sites.append(site)
        self._pool_arguments()
        put_once = PutOnce(self.analysis)
        reported = set()
        for uses in sharing.values():
            several_sites = len({id(site.node) for site, *_ in uses}) >= 2
            for site, argument, binding, size in uses:
                in_loop = self._loops_after(site, binding)
                if not (in_loop or several_sites) or id(site.node) in reported:
                    continue
                reported.add(id(site.node))
                message = self._message(argument, size, in_loop)
                if id(binding) in self._put_too:
                    message = (
                        f"`{argument.id}` is passed by value {'in a loop' if in_loop else 'to several submissions'} "
                        f"although this function also `ray.put`s it: pass the ref instead, so it is stored once"
                    )
                self.report(
                    site.node,
                    message,
                    fix=None if id(binding) in self._joined or id(binding) in self._put_too else LazyFix(
                        build=lambda site=site, argument=argument, binding=binding, size=size: put_once.fix(
                            binding, argument.id, sites_of[id(binding)], site, size
                        ),
                        plan=lambda site=site, argument=argument, binding=binding, size=size: put_once.plan(
                            binding, argument.id, sites_of[id(binding)], site, size
                        ),
                    ),
                )

    def _pool_arguments(self) -> None:
        """`ray.util.multiprocessing.Pool` pickles the arguments into every task it makes: a large value in
        `apply_async(f, (big, x))` in a loop, in each tuple of `starmap(f, [(big, x) for x in xs])`, or
        bound with `map(partial(f, big), xs)`, is copied once per task."""
        for site in self.analysis.names.calls_of(*_POOL_METHODS):
            func = site.node.func
            if not (isinstance(func, ast.Attribute) and func.attr in _POOL_METHODS and site.node.args):
                continue
            if not self._is_ray_pool(func.value, site):
                continue
            for name in self._pool_shared_names(site, func.attr):
                candidate = self._candidate(site, name)
                if candidate is None or candidate[1] is None:
                    continue
                if func.attr in ("apply", "apply_async") and not self._loops_after(site, candidate[0]):
                    continue
                self.report(
                    site.node,
                    f"`{name.id}` ({self._amount(candidate[1])}) is handed to every task of a Ray "
                    f"`Pool.{func.attr}`, which pickles the arguments into each task; `ray.put` it once and "
                    f"pass the ref",
                )
                break

    def _is_ray_pool(self, receiver: ast.AST, site: CallSite) -> bool:
        if not isinstance(receiver, ast.Name):
            return False
        bindings = site.scope.lookup(receiver.id) or []
        return bool(bindings) and all(
            b.kind in ("assign", "with")
            and isinstance(b.value, ast.Call)
            and self.analysis.names.qualname(b.value.func, b.scope) == "ray.util.multiprocessing.Pool"
            for b in bindings
        )

    def _pool_shared_names(self, site: CallSite, method: str) -> List[ast.Name]:
        """The plain names every task of this pool call receives."""
        call = site.node
        if method in ("apply", "apply_async"):
            args = call.args[1] if len(call.args) > 1 else None
            return [e for e in args.elts if isinstance(e, ast.Name)] if isinstance(args, ast.Tuple) else []
        first = call.args[0]
        if method in ("map", "imap", "imap_unordered", "map_async") and isinstance(first, ast.Call):
            if self.analysis.names.qualname(first.func, site.scope) == "functools.partial":
                return [a for a in first.args[1:] if isinstance(a, ast.Name)]
        if method in ("starmap", "starmap_async") and len(call.args) > 1:
            items = call.args[1]
            if isinstance(items, (ast.ListComp, ast.GeneratorExp)) and isinstance(items.elt, ast.Tuple):
                bound = {n.id for clause in items.generators for n in ast.walk(clause.target) if isinstance(n, ast.Name)}
                return [e for e in items.elt.elts if isinstance(e, ast.Name) and e.id not in bound]
        return []

    def _candidate(self, site: CallSite, argument: ast.AST) -> Optional[Tuple[Binding, Optional[int]]]:
        """The binding of a plain name argument and its size, when it is large (or unknown and asked for).
        A name bound on several paths (`if`/`else`) is large when every binding is; the first one stands
        for them all."""
        if not isinstance(argument, ast.Name):
            return None
        bindings = site.scope.lookup(argument.id)
        if not bindings:
            return None
        if len(bindings) > 1:
            site_loops = {id(loop.node) for loop in site.loops}
            if any(site_loops & {id(loop.node) for loop in b.loops} for b in bindings):
                return None  # rebound inside the loop that repeats the call
            if not _alternatives(bindings):
                return None  # rebound between the calls: each may get a different value
            sizes = [self._assigned_size(argument.id, b) for b in bindings]
            if all(size is not None and size >= self.settings["min-bytes"] for size in sizes):
                self._joined.add(id(bindings[0]))
                return bindings[0], min(sizes)
            return None
        binding = bindings[0]
        if binding.kind == "param" or (binding.kind == "assign" and binding.path):
            # a parameter, or one part of an unpacked result: the size cannot be known
            if self._put_in_function(argument.id, site):
                self._put_too.add(id(binding))
                return binding, None
            return (binding, None) if self.settings["unknown-size"] else None
        size = self._assigned_size(argument.id, binding)
        if size is not None and size >= self.settings["min-bytes"]:
            return binding, size
        if size is None and self._plain_value(argument.id, binding):
            if self._put_in_function(argument.id, site):
                self._put_too.add(id(binding))
                return binding, None
            if self.settings["unknown-size"]:
                return binding, None
        return None

    def _put_in_function(self, name: str, site: CallSite) -> bool:
        """The function that passes `name` by value also calls `ray.put(name)` (`ref = ray.put(frame)`,
        then `Actor.remote(frame)` for each worker): its author knows the value is large and meant to share
        it, whatever raylint can say about its size."""
        if site.function is None:
            return False
        calls = self._calls_by_first_name(site.function).get(name, ())
        return any(_wraps_put(call, self.analysis.names, site.scope) for call in calls)

    def _calls_by_first_name(self, function: ast.AST) -> Dict[str, List[ast.Call]]:
        """The calls anywhere in `function` whose first argument is a plain name, by that name, in `ast.walk`
        order; one walk per function, not one per argument asked about."""
        key = id(function)
        found = self._first_names.get(key)
        if found is None:
            found = self._first_names[key] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name):
                    found.setdefault(node.args[0].id, []).append(node)
        return found

    def _plain_value(self, name: str, binding: Binding) -> bool:
        """An assignment of a value that is neither mutated in place nor a Ray ref or handle."""
        if binding.kind != "assign" or binding.value is None or binding.path:
            return False
        if name in binding.scope.appends:
            return False  # mutated in place (`big[i] = v`, `big.append(v)`): the copies may differ
        value = self.analysis.names.value(binding.value, binding.scope)
        if value is not None and value.tag in ("ref", "refs", "handle", "handles"):
            return False
        return not _wraps_put(binding.value, self.analysis.names, binding.scope)

    def _assigned_size(self, name: str, binding: Binding) -> Optional[int]:
        if not self._plain_value(name, binding):
            return None
        value = binding.value
        size = self.analysis.estimate.size_bytes(value, binding.scope)
        if size is None and isinstance(value, ast.Call):
            if self.analysis.names.qualname(value.func, binding.scope) in self.settings["extra-large-calls"]:
                return LARGE
        return size

    @staticmethod
    def _loops_after(site: CallSite, binding: Binding) -> bool:
        """True when the call repeats in a loop that the value's binding sits outside of."""
        outer = set(id(loop.node) for loop in binding.loops)
        return any(id(loop.node) not in outer and not runs_once(loop) for loop in site.loops)

    @staticmethod
    def _amount(size: Optional[int]) -> str:
        if size is None:
            return "a value of unknown size"
        if size >= LARGE:
            return "a large value"
        return f"about {_human(size)}"

    def _message(self, argument: ast.Name, size: Optional[int], in_loop: bool) -> str:
        how = "in a loop" if in_loop else "to several submissions"
        amount = self._amount(size)
        return (
            f"`{argument.id}` ({amount}) is passed by value {how}, so Ray copies it into the object store "
            f"for every call; `ray.put` it once and pass the ref"
        )


_POOL_METHODS = frozenset({"apply", "apply_async", "map", "map_async", "imap", "imap_unordered", "starmap",
                           "starmap_async"})


def _alternatives(bindings: List[Binding]) -> bool:
    """Every binding is an assignment on its own branch of one `if`/`else` (or `try`/`except`) chain,
    so exactly one of them runs before the calls."""
    if any(b.kind != "assign" for b in bindings):
        return False
    scope_node = bindings[0].scope.node
    if any(b.scope.node is not scope_node for b in bindings):
        return False
    branches = []
    for binding in bindings:
        path = _branch_path(scope_node, binding.node)
        if path is None:
            return False
        branches.append(path)
    for i, first in enumerate(branches):
        for second in branches[i + 1:]:
            if not any(a[0] is b[0] and a[1] != b[1] for a, b in zip(first, second)):
                return False
    return True


def _branch_path(root: ast.AST, target: ast.AST):
    """The (if/try node, branch name) pairs from `root` down to `target`, or None if not found."""
    body = getattr(root, "body", None)
    stack = [(statement, ()) for statement in (body if isinstance(body, list) else [])]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if not (hasattr(node, "lineno") and node_contains(node, target)):
            continue
        if isinstance(node, (ast.If, ast.Try)):
            fields = ("body", "orelse", "handlers", "finalbody")
            for field in fields:
                for child in getattr(node, field, []) or []:
                    stack.append((child, path + ((node, field),)))
            continue
        for child in ast.iter_child_nodes(node):
            stack.append((child, path))
    return None


def _wraps_put(expr: ast.AST, names, scope) -> bool:
    return isinstance(expr, ast.Call) and names.is_ray(expr.func, scope, "put")


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


RULE = LargeArgWithoutPut
