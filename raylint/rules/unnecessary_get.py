from __future__ import annotations

import ast
from typing import Dict, List, Optional

from raylint.semantics.analysis import call_arguments, keyword_value, node_contains, scoped_names, Binding, CallSite
from raylint.fixers.rewrite import parents
from raylint.fixers.unnecessary_get import pass_ref, plan_pass_ref
from raylint.rules.base import LazyFix, Rule


class UnnecessaryGet(Rule):
    """
    ## What it does
    Checks for a name bound from `ray.get` on a single ObjectRef whose only uses are top-level arguments of
    Ray submissions (`x = ray.get(ref)` followed only by `g.remote(x)`).

    ## Why is this bad?
    `ray.get` pulls the object to the caller and blocks until it is ready; passing the value to
    `g.remote` then serialises it and uploads it to the object store again. Ray resolves a top-level
    ObjectRef argument before the task starts, so `g.remote(ref)` gives the task the same value, fetched
    straight from where it was produced, and the caller does not wait at all: the producer and the
    consumer are scheduled together.

    The rule stays quiet when the value is used in any other way (inspected, printed, mutated, returned,
    stored, passed to a plain function, nested inside a list or dict argument, read by a lambda or a nested
    function), when the name is bound more than once or declared `global`, when `ray.get` has a `timeout=`
    or gets a list of refs (`a, b = ray.get([ra, rb])`), and when the fetched value is never used (a
    `ray.get` that only waits for completion).

    Known problems: only refs raylint can trace are considered (a `.remote(...)` or `ray.put` result, an
    element of a list of them); a parameter that holds a ref is not. A task with `num_returns=k` gives a
    list of refs and is skipped.

    ## Example
    ```python
    features = ray.get(extract.remote(path))
    model_ref = train.remote(features)
    ```

    ## Use instead
    ```python
    features_ref = extract.remote(path)
    model_ref = train.remote(features_ref)
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    The fix deletes the `ray.get` and passes the ref at every use: when the ref is a local name that is not
    rebound before the last use, that name; otherwise the ref expression is bound first to a fresh name
    (`features_ref = extract.remote(path)`). It is **safe** in a function: every use is a top-level
    argument, which Ray resolves to the very value `ray.get` returned. What changes is when things happen:
    the caller no longer waits for the producer, and an error raised by the producing task now surfaces
    where the consumer's result is fetched, not at the `ray.get`. The fix assumes the producer does not
    itself return an ObjectRef (RAY103 reports tasks that return `ray.put` refs). At module level the fix is
    **unsafe**: the name disappears, and another module may import it.

    The `ray.get` is also a barrier, so the fix is **unsafe** when the function does anything observable
    after it before it waits for a consumer's result: any call other than a submission, a Ray call, a pure
    builtin or a local list's `append`; a compound statement; returning without waiting (the caller goes
    on). The producer may write a file the driver then reads, and its error used to stop the function
    before those statements ran. It is also unsafe when the get or a consumer sits in a `try` or `with`:
    the producer's error would leave (or enter) that handler, and when raylint cannot trace the ref to
    its submission or a consumer is imported from a module it does not index. No fix when the producer has `num_returns` other than one: a task receives a list of
    refs as refs, not as the values `ray.get` returned.

    ## Options
    None.

    ## References
    - [Anti-pattern: Calling ray.get unnecessarily harms performance](https://docs.ray.io/en/latest/ray-core/patterns/unnecessary-ray-get.html)
    """

    code = "RAY105"
    name = "unnecessary-get"
    summary = "Value fetched with `ray.get` only to be passed to another task"
    options: dict = {}
    fix_availability = "Sometimes"

    def run(self) -> None:
        names = self.analysis.names
        gets = names.ray_calls("get")
        if not gets:
            return
        arguments = {
            id(argument)
            for site, _ in names.submissions()
            for argument in call_arguments(site.node)
            if isinstance(argument, ast.Name)
        }
        assignment_of = self.analysis.walk.assignment_of
        parent_of: Dict[int, ast.AST] = {}
        for site in gets:
            statement = assignment_of.get(id(site.node))
            binding = self._binding(site, statement)
            if binding is None:
                continue
            parent_of = parent_of or parents(self.analysis.tree)  # built only for a file with a candidate
            uses = self._uses(site, binding, statement, parent_of, arguments)
            if not uses:
                continue
            name = binding.node.id
            self.report(
                site.node,
                f"`{name}` is fetched with `ray.get` only to be passed as a task argument: pass the ref "
                f"instead, so the value goes straight from the producer to the consumer and the caller does not "
                f"wait",
                fix=self._fix(site, statement, uses),
            )

    def _fix(self, site: CallSite, statement: ast.stmt, uses: List[ast.Name]) -> LazyFix:
        return LazyFix(build=lambda: pass_ref(self.analysis, site, statement, uses),
                       plan=lambda: plan_pass_ref(self.analysis, site, statement, uses))

    def _binding(self, site: CallSite, statement: Optional[ast.AST]) -> Optional[Binding]:
        """The binding of `x` in `x = ray.get(ref)` on one traceable ref, without keywords."""
        call = site.node
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is not call:
            return None
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            return None
        if len(call.args) != 1 or call.keywords or not self._one_object(call.args[0], site):
            return None
        scope = site.scope
        name = targets[0].id
        bindings = scope.bindings.get(name, [])
        if scope.kind not in ("function", "module") or len(bindings) != 1 or name in scope.globals:
            return None
        return bindings[0]

    def _uses(self, site: CallSite, binding: Binding, statement: ast.stmt, parent_of: Dict[int, ast.AST],
              arguments: set) -> List[ast.Name]:
        """Every read of the name, when all are top-level submission arguments after the `ray.get`, in the
        same function (comprehensions included) and in the statements that follow it in its block."""
        scope = site.scope
        region = scope.node.body
        later = _later_siblings(statement, parent_of.get(id(statement)))
        uses = []
        for node, where in scoped_names(self.analysis.walk, region, scope):
            if node.id != binding.node.id or node is binding.node:
                continue
            if binding not in (where.lookup(node.id) or ()):
                continue
            if (
                not isinstance(node.ctx, ast.Load)
                or id(node) not in arguments
                or where.function is not scope.function
                or not any(node_contains(sibling, node) for sibling in later)
            ):
                return []
            uses.append(node)
        return sorted(uses, key=lambda n: (n.lineno, n.col_offset))

    def _one_object(self, expr: ast.AST, site: CallSite) -> bool:
        """`expr` is one ObjectRef of one object: not a list of refs, not the list a `num_returns=k` task gives."""
        names = self.analysis.names
        value = names.value_in_loops(expr, site.scope, site.loops)
        if value is None or value.tag != "ref" or value.origin not in ("task", "put"):
            return False
        scope = site.scope
        if isinstance(expr, ast.Name):
            bindings = scope.lookup(expr.id) or []
            if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].path:
                return len(bindings) == 1  # a loop target or an unpacked element: one ref
            expr, scope = bindings[0].value, bindings[0].scope
        if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"):
            return True
        target = names.submission_target(expr.func.value, scope)
        if target is None or target[0] is None:
            return False
        remote, method, options = target
        if options is not None and keyword_value(options, "num_returns") is not None:
            return False
        if method is None:
            return "num_returns" not in remote.option_keys
        for item in getattr(remote.node, "body", ()):
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method:
                return not any(isinstance(d, ast.Call) and keyword_value(d, "num_returns") is not None
                               for d in item.decorator_list)
        return False


def _later_siblings(statement: ast.stmt, parent: Optional[ast.AST]) -> List[ast.stmt]:
    """The statements after `statement` in the block that holds it."""
    if parent is None:
        return []
    for _field, value in ast.iter_fields(parent):
        if isinstance(value, list) and any(item is statement for item in value):
            index = next(i for i, item in enumerate(value) if item is statement)
            return value[index + 1:]
    return []


RULE = UnnecessaryGet
