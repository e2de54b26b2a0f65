from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from raylint.semantics.analysis import CallSite
from raylint.semantics.estimate import LARGE
from raylint.fixers.get_too_many_objects import fetch_in_batches, plan_fetch_in_batches
from raylint.semantics.loops import walk_local
from raylint.rules.base import LazyFix, Option, Rule

# Ray stores objects above 100 KiB in the object store instead of inlining them: below that, many
# results are RAY004's concern (tiny tasks), not this rule's.
MIN_OBJECT_BYTES = 100 * 1024


class GetTooManyObjects(Rule):
    """
    ## What it does
    Checks for one `ray.get` on the refs of at least 10,000 submissions (a constant-folded trip count) of a
    task whose every `return` gives a large object: an array or tensor of constant-folded shape, a frame
    or bytes built from one, a loaded dataset, 100 KiB or more each.

    ## Why is this bad?
    `ray.get(refs)` returns a list that holds every result at once: 20,000 results of 8 MiB need 160 GiB
    in the caller's heap, on top of the object store copies. The caller runs out of memory, or the
    object store spills to disk and fails with `ObjectStoreFullError`. Fetching and processing a batch
    at a time keeps only that batch in memory.

    The rule stays quiet when the count or the result size cannot be worked out (a loop over data of
    unknown length, a task that returns something raylint cannot size), on small results (many tiny
    results are RAY004's territory, and its batching fix removes this too), and on `ray.get` of a slice
    or of the `ray.wait` ready list.

    Known problems: refs gathered through helpers, dicts or several names are not traced.

    ## Example
    ```python
    @ray.remote
    def render(i):
        return np.zeros((1024, 1024))

    refs = [render.remote(i) for i in range(20_000)]
    for frame in ray.get(refs):
        writer.write(frame)
    ```

    ## Use instead
    ```python
    refs = [render.remote(i) for i in range(20_000)]
    for start in range(0, len(refs), 100):
        for frame in ray.get(refs[start:start + 100]):
            writer.write(frame)

    # or, when the order does not matter, which also frees each batch from the object store:
    while refs:
        ready, refs = ray.wait(refs, num_returns=min(100, len(refs)))
        for frame in ray.get(ready):
            writer.write(frame)
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    The fix fetches the results in slices of the ref list, in submission order, so the loop or
    comprehension sees the same values in the same order: `for v in ray.get(refs): ...` becomes
    `for start in range(0, len(refs), B): for v in ray.get(refs[start:start + B]): ...`, and a
    comprehension over `ray.get(refs)` gets the same outer clause. `B` is at most 1000, fewer for larger
    results, so that a batch holds about 1 GiB. It is **unsafe**: a task that fails now raises after the
    earlier batches were processed (their side effects done) instead of before any, and the body may
    hold on to values so that memory is not released after all.

    The fix does not use `ray.wait`, which Ray's docs suggest: `ray.wait` returns refs as they finish,
    so the values would come in a different order. Use it by hand when the order does not matter. No fix
    when the `ray.get` result is bound to a name, returned or passed on (the whole list is the value the
    code asks for), when the refs are not a plain name, when `ray.get` has keywords, for a `for` loop with
    `break` or `else` or a body that reads the refs, and for a lazy generator expression not passed
    straight to a call.

    ## Options
    - `min-objects` (default 10000): the number of results from which one `ray.get` is reported.

    ## References
    - [Anti-pattern: Fetching too many objects at once with ray.get causes failure](https://docs.ray.io/en/latest/ray-core/patterns/ray-get-too-many-objects.html)
    """

    code = "RAY106"
    name = "get-too-many-objects"
    summary = "`ray.get` on tens of thousands of large results at once"
    fix_availability = "Sometimes"
    options = {"min-objects": Option("min-objects", 10000, "Number of results from which one `ray.get` is reported")}

    def run(self) -> None:
        names = self.analysis.names
        sites = None
        for site in names.ray_calls("get"):
            if len(site.node.args) != 1:
                continue
            if sites is None:
                sites = self.analysis.walk.sites_by_node()
            found = self._producers(site.node.args[0], site, sites)
            if found is None:
                continue
            count, callee, size = found
            if count < self.settings["min-objects"]:
                continue
            self.report(
                site.node,
                f"`ray.get` on {count:,} results of `{callee}` at once, {_each(size, count)}: all of them are "
                f"held in memory together; fetch and process them in batches",
                fix=LazyFix(build=lambda site=site, size=size: fetch_in_batches(self.analysis, site, size),
                            plan=lambda site=site, size=size: plan_fetch_in_batches(self.analysis, site, size)),
            )

    def _producers(self, argument: ast.AST, site: CallSite, sites) -> Optional[Tuple[int, str, int]]:
        """(number of results, callee, smallest result size) when `argument` is a list of refs built by
        large-result submissions a constant number of times: a list comprehension, inline or bound once
        to a name, or a list that a loop appends to."""
        outer = site.loops
        calls: List[ast.AST] = []
        if isinstance(argument, ast.ListComp):
            calls = [argument.elt]
        elif isinstance(argument, ast.Name):
            bindings = site.scope.lookup(argument.id) or []
            if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].path:
                return None
            binding = bindings[0]
            outer = binding.loops
            if isinstance(binding.value, ast.ListComp):
                calls = [binding.value.elt]
            elif isinstance(binding.value, ast.List) and not binding.value.elts:
                calls = binding.scope.appends.get(argument.id, [])
        if not calls:
            return None
        count, callees, sizes = 0, set(), []
        outer_ids = {id(loop.clause or loop.node) for loop in outer}
        for call in calls:
            producer = sites.get(id(call))
            if producer is None or not self.analysis.names.is_submission(producer):
                return None
            trips = 1
            for loop in producer.loops:
                if id(loop.clause or loop.node) in outer_ids:
                    continue
                trip = self.analysis.estimate.trip_count(loop, producer.scope)
                if trip is None:
                    return None
                trips *= trip
            result = self._result_size(producer)
            if result is None:
                return None
            count += trips
            callees.add(result[0])
            sizes.append(result[1])
        return count, " / ".join(sorted(callees)), min(sizes)

    def _result_size(self, producer: CallSite) -> Optional[Tuple[str, int]]:
        """The callee's name and the smallest size its `return` statements give, when all are large."""
        target = self.analysis.names.submission_target(producer.node.func.value, producer.scope)
        if target is None or target[0] is None or target[0].node is None:
            return None
        remote, method, _options = target
        function = remote.node
        if method is not None:
            function = next((item for item in remote.node.body
                             if isinstance(item, ast.FunctionDef) and item.name == method), None)
        elif remote.is_actor:
            return None
        if not isinstance(function, ast.FunctionDef):
            return None
        scope = self.analysis.walk.scopes[id(function)]
        returns = [node.value for node in walk_local(function) if isinstance(node, ast.Return)]
        if not returns or any(value is None for value in returns):
            return None
        sizes = [self.analysis.estimate.size_bytes(value, scope) for value in returns]
        if any(size is None or size < MIN_OBJECT_BYTES for size in sizes):
            return None
        return (remote.name if method is None else f"{remote.name}.{method}"), min(sizes)


def _each(size: int, count: int) -> str:
    if size >= LARGE:
        return "each a large object"
    total = size * count / 2**30
    return f"each about {size / 2**20:.1f} MiB ({total:,.1f} GiB in all)"


RULE = GetTooManyObjects
