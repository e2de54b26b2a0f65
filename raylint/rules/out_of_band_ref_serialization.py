from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Tuple

from raylint.semantics.analysis import CallSite, Scope, node_contains
from raylint.rules.base import Rule

# Serialisers that pickle an ObjectRef itself. Ray registers its pinning reducer only with its own
# vendored cloudpickle; the others use the ref's plain `__reduce__`, which keeps nothing alive.
_PICKLERS = {
    "pickle.dumps": "plain", "pickle.dump": "plain", "dill.dumps": "plain", "dill.dump": "plain",
    "joblib.dump": "plain", "cloudpickle.dumps": "plain", "cloudpickle.dump": "plain",
    "ray.cloudpickle.dumps": "pinned", "ray.cloudpickle.dump": "pinned",
}
# Writers that keep a ref's id (`ref.hex()`, `ref.binary()`) outside Ray.
_ID_WRITERS = frozenset(_PICKLERS) | {"json.dumps", "json.dump"}
_REDIS_WRITES = frozenset({"set", "setex", "setnx", "mset", "hset", "hmset", "lpush", "rpush", "sadd", "publish"})
_REF_IDS = frozenset({"hex", "binary"})
_RECONSTRUCTORS = frozenset({"ray.ObjectRef", "ray.ObjectRef.from_hex", "ray.ObjectRef.from_binary"})
_MAX_DEPTH = 4
# what every call this rule reports resolves into, Ray aside (a Redis client comes from `redis`)
_WRITER_PACKAGES = frozenset(
    qual.split(".")[0] for qual in _PICKLERS.keys() | _ID_WRITERS if not qual.startswith("ray.")
) | {"redis"}
# the last parts of every call this rule can report: a serialiser, a rebuilder, a Redis write
_REPORTED_CALLS = frozenset(qual.rsplit(".", 1)[-1] for qual in _PICKLERS.keys() | _ID_WRITERS | _RECONSTRUCTORS) | _REDIS_WRITES
_RAY_CALLS = tuple(qual[len("ray."):] for qual in _RECONSTRUCTORS | _ID_WRITERS if qual.startswith("ray."))


class OutOfBandRefSerialization(Rule):
    """
    ## What it does
    Checks for ObjectRefs that leave Ray's sight: a ref, a container of refs, or a literal container
    holding one, passed to `pickle`, `cloudpickle` (also `ray.cloudpickle`), `dill` or `joblib`
    `dump`/`dumps`; a ref's id (`ref.hex()`, `ref.binary()`) written with those, with `json.dump(s)` or
    to a Redis client; and a ref rebuilt from a stored id (`ray.ObjectRef(id)`,
    `ray.ObjectRef.from_hex(...)`). The argument may be the expression itself or a name assigned once.

    ## Why is this bad?
    Ray counts references to an object only while it can see them. After plain `pickle`, nothing
    holds the object: it can be freed while the bytes still name it, and a later `ray.get` on the
    unpickled ref fails or hangs. With Ray's own cloudpickle (`ray.cloudpickle`), Ray pins the object
    instead, for the rest of the worker's life: a leak that fills the object store and forces spilling. A stored id has both
    problems and also loses the owner's address.

    The rule stays quiet on values fetched with `ray.get` (pickling data is fine), refs passed to tasks
    and actors (Ray serialises those in band), actor handles, and ids only printed or logged.

    Known problems: only refs that come from `.remote()` or `ray.put` in this module are known; a ref
    received as a parameter, read from `self`, or built up in a mixed collection that is not a literal
    is not followed. Stores other than Redis (databases, queues, files) are not recognised.

    ## Example
    ```python
    refs = [embed.remote(batch) for batch in batches]
    with open("pending.pkl", "wb") as fh:
        pickle.dump(refs, fh)

    redis_client.set("latest", ray.put(model).hex())
    ```

    ## Use instead
    ```python
    # keep the refs in process and pass them through Ray (task arguments, actor state, a named actor)
    registry = ray.get_actor("registry")
    registry.track.remote(refs)

    # or store the materialised values
    with open("embeddings.pkl", "wb") as fh:
        pickle.dump(ray.get(refs), fh)
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    No fix: whether to keep the refs inside Ray (an actor that holds them, a named actor) or to store
    the values is a design decision, and storing values changes what the reader receives. Setting
    `RAY_allow_out_of_band_object_ref_serialization=0` makes Ray raise on the cloudpickle path, which
    helps find the places at run time.

    ## Options
    None.

    ## References
    - [Anti-pattern: Serialize ray.ObjectRef out of band](https://docs.ray.io/en/latest/ray-core/patterns/out-of-band-object-ref-serialization.html)
    - [ray-project/ray#9578: ObjectRef freed while a pickled copy exists](https://github.com/ray-project/ray/issues/9578)
    """

    code = "RAY109"
    name = "out-of-band-ref-serialization"
    summary = "An ObjectRef (or its id) is serialised outside Ray, which loses track of the object"

    def run(self) -> None:
        names = self.analysis.names
        id_calls = [site for site in names.calls_of(*_REF_IDS) if self._is_ref_id(site)]
        if names.imported_roots() & _WRITER_PACKAGES:
            sites = names.calls_of(*_REPORTED_CALLS)
        else:
            sites = names.ray_calls(*_RAY_CALLS)  # only Ray's own functions can be reported
        for site in sites:
            qual = names.qualname(site.node.func, site.scope)
            if qual in _RECONSTRUCTORS:
                self.report(
                    site.node,
                    "An ObjectRef rebuilt from a stored id: Ray did not count the stored copy, so the object "
                    "may already be freed; pass the ref itself through Ray",
                )
                continue
            if qual is not None and qual not in _PICKLERS and qual not in _ID_WRITERS:
                continue  # a call of something known that writes nothing anywhere
            if qual is None and not id_calls:
                continue  # a Redis write is reported only for the id of a ref, which comes from an id call
            writer = qual or self._redis_write(site)
            if writer is None or not site.node.args:
                continue
            # the object a serialiser writes is its first argument; a Redis key or value may be any
            arguments = site.node.args if qual is None else site.node.args[:1]
            sources = list(_sources(arguments, site.scope))
            if qual in _PICKLERS and any(self._holds_ref(expr, scope) for expr, scope in sources):
                self.report(site.node, _pickled_message(qual))
            elif (qual in _ID_WRITERS or qual is None) and any(
                node_contains(expr, id_call.node) for expr, _ in sources for id_call in id_calls
            ):
                self.report(
                    site.node,
                    f"`{writer}` stores an ObjectRef's id outside Ray: the object can be freed while the id is "
                    f"kept, and a ref rebuilt from it has no owner; pass the ref through Ray or store the value",
                )

    def _is_ref_id(self, site: CallSite) -> bool:
        """`ref.hex()` / `ref.binary()` on a known ObjectRef."""
        func = site.node.func
        if not isinstance(func, ast.Attribute) or func.attr not in _REF_IDS or site.node.args:
            return False
        value = self.analysis.names.value(func.value, site.scope)
        return value is not None and value.tag == "ref"

    def _holds_ref(self, expr: ast.AST, scope: Scope) -> bool:
        value = self.analysis.names.value(expr, scope)
        return value is not None and value.tag in ("ref", "refs", "nested-refs")

    def _redis_write(self, site: CallSite) -> Optional[str]:
        """`client.set` and friends, where `client` is bound once to a `redis` client."""
        func = site.node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _REDIS_WRITES and isinstance(func.value, ast.Name)):
            return None
        bindings = site.scope.lookup(func.value.id) or []
        if len(bindings) != 1 or bindings[0].kind != "assign" or not isinstance(bindings[0].value, ast.Call):
            return None
        client = self.analysis.names.qualname(bindings[0].value.func, bindings[0].scope) or ""
        return f"{func.value.id}.{func.attr}" if client.startswith("redis.") else None


def _sources(arguments: List[ast.AST], scope: Scope, depth: int = 0) -> Iterator[Tuple[ast.AST, Scope]]:
    """Each argument, the elements of a literal container, and the value of a name assigned once, a few
    levels deep: `pickle.dump(state)` after `state = {"refs": refs}` reaches `refs`."""
    if depth > _MAX_DEPTH:
        return
    for expr in arguments:
        yield expr, scope
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            yield from _sources(expr.elts, scope, depth + 1)
        elif isinstance(expr, ast.Dict):
            yield from _sources(expr.values, scope, depth + 1)
        elif isinstance(expr, ast.Name):
            bindings = scope.lookup(expr.id) or []
            if len(bindings) == 1 and bindings[0].kind == "assign" and not bindings[0].path:
                yield from _sources([bindings[0].value], bindings[0].scope, depth + 1)


def _pickled_message(qual: str) -> str:
    if _PICKLERS[qual] == "pinned":
        return (
            f"`{qual}` serialises an ObjectRef outside Ray: Ray pins the object for the rest of the worker's "
            f"life, leaking object-store memory; pass the ref through Ray, or store `ray.get`'s value"
        )
    return (
        f"`{qual}` serialises an ObjectRef outside Ray: nothing keeps the object alive, so a later `ray.get` "
        f"on the unpickled ref can fail; pass the ref through Ray, or store `ray.get`'s value"
    )


RULE = OutOfBandRefSerialization
