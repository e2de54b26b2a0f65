"""RAY002's rewrite: `big_ref = ray.put(big)` once, before the first call site, and `big_ref` at every site.

Every finding on one value in one function gets the same fix (the one insertion and all the
replacements), so applying any of them fixes them all and the others have nothing left to do.
"""

from __future__ import annotations

import ast
import bisect
import builtins
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple


from raylint.fixers.lazy_cst import cst, libcst_class
from raylint.semantics.analysis import call_arguments, Binding, CallSite, Scope
from raylint.fixers.rewrite import split_leading_lines, taken_names
from raylint.fixers.base import BUILD, SAFE, UNSAFE, build_fix, parse_statement
from raylint.fixers.plan_checks import starts_line, too_deep_for_cst
from raylint.fixers.safety import known_submission, lazy_ancestor
from raylint.ftypes import Fix

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_GUARDS = (ast.Try, ast.With, ast.AsyncWith) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
                ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Methods that change their object in place: containers, numpy, pandas, torch modules.
_MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault", "sort",
    "reverse", "add", "discard", "difference_update", "intersection_update", "symmetric_difference_update",
    "appendleft", "extendleft", "popleft", "rotate", "fill", "resize", "put", "itemset", "setflags",
    "partition", "byteswap", "__setitem__", "__delitem__", "__setattr__", "__delattr__",
    "load_state_dict", "train", "eval", "to", "cuda", "cpu", "half", "float", "double", "zero_grad",
    "register_buffer", "register_parameter", "add_module",
})
# Functions that write into their first argument.
_MUTATING_FUNCTIONS = frozenset({
    "numpy.copyto", "numpy.put", "numpy.place", "numpy.putmask", "numpy.fill_diagonal", "numpy.random.shuffle",
    "random.shuffle",
})
# Packages whose functions read their arguments (apart from the ones above, `out=` and `*_` names).
_READING_PACKAGES = frozenset({"builtins", "numpy", "pandas", "torch", "pyarrow", "ray", "math", "statistics",
                               "json", "pickle", "cloudpickle", "copy"})
_WRITING_BUILTINS = frozenset({"builtins.setattr", "builtins.delattr", "builtins.exec", "builtins.eval"})
_PYTHON_OBJECTS = (ast.List, ast.ListComp, ast.Dict, ast.DictComp, ast.Set, ast.SetComp, ast.Tuple)


class _Placement:
    """Where the put goes: before `block[first]`, with the call sites in `block[first:last + 1]`."""

    __slots__ = ("block", "first", "last")

    def __init__(self, block: List[ast.stmt], first: int, last: int):
        self.block = block
        self.first = first
        self.last = last

    @property
    def anchor(self) -> ast.stmt:
        return self.block[self.first]

    def start(self) -> Tuple[int, int]:
        return self.anchor.lineno, self.anchor.col_offset

    def end(self) -> Tuple[int, int]:
        last = self.block[self.last]
        return last.end_lineno, last.end_col_offset


@dataclass(frozen=True)
class _Decision:
    """A RAY002 fix as decided on the `ast`: what the libcst rewrite then does, its safety and its title."""

    placement: _Placement
    arguments: List[ast.Name]  # the call arguments that become the ref
    existing: bool  # the ref is an earlier `ref = ray.put(value)`, so no put is inserted
    ref: str
    put: str  # how the module spells `ray.put`
    safe: bool
    title: str


class PutOnce:
    """Builds RAY002 fixes for one module; one fix per value and function, shared by its findings."""

    def __init__(self, context):
        self.context = context
        self.tree: ast.Module = context.tree
        self._parents: Optional[Dict[int, ast.AST]] = None
        self._names: Dict[str, List[ast.AST]] = {}
        self._homes: Dict[int, ast.AST] = {}
        self._taken: Dict[int, set] = {}  # id(function) -> the names its body uses
        self._fixes: Dict[Tuple[int, int], Optional[Fix]] = {}
        self._plans: Dict[Tuple[int, int], object] = {}  # what `plan` answered: a Fix without edits, None or BUILD
        self._probes: List[ast.AST] = []  # kept alive: the name resolver caches by id()
        self._lifecycle: Optional[Dict[int, List[Tuple[str, Tuple[int, int]]]]] = None
        self._spellings: Dict[int, Optional[str]] = {}  # id(scope) -> how it spells `ray.put`
        self._imports: Dict[int, List[Tuple[int, str, str, bool]]] = {}
        self._uses_by_line: Dict[str, Tuple[List[int], List[ast.AST]]] = {}

    def fix(self, binding: Binding, name: str, sites: Sequence[CallSite], site: CallSite,
            size: Optional[int]) -> Optional[Fix]:
        """The fix for the finding at `site`: the same for every site of `binding` in the same function."""
        return self._once(self._fixes, self._build, binding, name, sites, site, size)

    def plan(self, binding: Binding, name: str, sites: Sequence[CallSite], site: CallSite, size: Optional[int]):
        """What `fix` gives, without its edits (`raylint check` needs no more): the same decision, taken on
        the `ast`; BUILD for code nested too deeply for libcst, and a put that would go before a statement
        that does not start its line (after a `;`, in a one-line block, an `elif`), where libcst may find
        no place for it."""
        return self._once(self._plans, self._plan, binding, name, sites, site, size)

    def _once(self, cache, make, binding: Binding, name: str, sites: Sequence[CallSite], site: CallSite,
              size: Optional[int]):
        home = self._home(site.node)
        key = (id(binding), id(home))
        if key not in cache:
            same_home = [s for s in sites if self._home(s.node) is home]
            cache[key] = make(binding, name, same_home, home, size)
        return cache[key]

    # -- the rewrite -----------------------------------------------------------------------

    def _plan(self, binding: Binding, name: str, sites: List[CallSite], home: ast.AST, size: Optional[int]):
        decision = self._decide(binding, name, sites, home, size)
        if decision is None:
            return None
        if too_deep_for_cst(self.context) or not starts_line(self.context, decision.placement.anchor):
            return BUILD
        return Fix(SAFE if decision.safe else UNSAFE, decision.title, ())

    def _build(self, binding: Binding, name: str, sites: List[CallSite], home: ast.AST,
               size: Optional[int]) -> Optional[Fix]:
        decision = self._decide(binding, name, sites, home, size)
        if decision is None:
            return None
        files = self.context.cst
        anchor = files.statement_for(decision.placement.anchor, self.context.lines)
        targets = [files.node_for(argument, self.context.lines, cst.Name) for argument in decision.arguments]
        if anchor is None or any(target is None for target in targets):
            return None
        touched = [files.top_level(node) for node in [decision.placement.anchor, *decision.arguments]]
        if any(statement is None for statement in touched):
            return None
        put = None if decision.existing else f"{decision.ref} = {decision.put}({name})\n"
        module = _rewrite(files, anchor, touched, targets, decision.ref, put)
        if module is None:
            return None
        return build_fix(files, module, SAFE if decision.safe else UNSAFE, decision.title)

    def _decide(self, binding: Binding, name: str, sites: List[CallSite], home: ast.AST,
                size: Optional[int]) -> Optional[_Decision]:
        """Whether there is a fix, where its put goes, which arguments become the ref, how safe it is and
        its title: everything but the libcst rewrite, shared by the plan and the build."""
        home_scope = self._scope_of_home(home)
        if not self._visible(binding, home_scope):
            return None  # bound in a lambda or comprehension: no statement can see it
        put = self._put_spelling(home_scope)
        if put is None:
            return None
        placement = self._placement(sites, home, binding)
        if placement is None or not self._ray_ready(home, placement):
            return None
        arguments = [argument for s in sites for argument in self._value_arguments(s, name, binding)]
        if not arguments:
            return None
        existing = self._existing_ref(binding, name, home_scope, placement)
        # with an existing ref, the value must stay the same from that put on
        window = _Placement(placement.block, existing[1], placement.last) if existing else placement
        safe = (
            size is not None
            and binding.kind == "assign"
            and not binding.path
            and all(self._function_of(s.node) is home for s in sites)
            and not any(self._leaves_handler(s.node, home, placement) for s in sites)
            and not any(lazy_ancestor(self._parent_map(), s.node, s.scope, home) for s in sites)
            and all(known_submission(self.context.names, s.node, s.scope) for s in sites)
            and not _may_be_shared(binding.value, self.context.names, binding.scope)
            and not self._may_change(binding, name, home, window, arguments)
        )
        ref = existing[0] if existing else self._fresh_name(name, home)
        title = f"Put `{name}` in the object store once with `{put}` and pass the ref"
        if binding.kind == "assign" and _is_python_object(binding.value):
            title += " (each worker still deserialises its own copy of a Python object)"
        return _Decision(placement, arguments, existing is not None, ref, put, safe, title)

    def _placement(self, sites: List[CallSite], home: ast.AST, binding: Binding) -> Optional[_Placement]:
        """Right before the statement holding the first site, in the innermost block holding them all,
        but outside every loop the value is bound outside of; None when the value is bound too late."""
        chains = [self._statements_above(s.node, home) for s in sites]
        if not chains or any(not chain for chain in chains):
            return None
        depth = 0
        placement = None
        while all(len(chain) > depth for chain in chains):
            block = chains[0][depth][0]
            if any(chain[depth][0] is not block for chain in chains):
                break
            indexes = [chain[depth][1] for chain in chains]
            placement = _Placement(block, min(indexes), max(indexes))
            if len(set(indexes)) > 1:
                break
            depth += 1
        if placement is None:
            return None
        bound_at = self._binding_statement(binding, home)
        for block, index in chains[0][:depth]:
            statement = block[index]
            if isinstance(statement, _LOOPS) and not (bound_at is not None and _contains(statement, bound_at)):
                placement = _Placement(block, index, index)
                break
        if bound_at is not None and (bound_at.end_lineno, bound_at.end_col_offset) > placement.start():
            return None
        return placement

    def _existing_ref(self, binding: Binding, name: str, scope: Scope,
                      placement: _Placement) -> Optional[Tuple[str, int]]:
        """(ref name, index in the placement's block) of an earlier `ref = ray.put(name)` of the same value
        in the same block, whose ref name is bound nowhere else: that ref is passed instead of a new put.
        The value must have that one binding: a ref of an earlier value of the name would be stale."""
        if [b for b in scope.lookup(name) or ()] != [binding]:
            return None
        for index in range(placement.first - 1, -1, -1):
            statement = placement.block[index]
            if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Call)):
                continue
            call = statement.value
            if not (len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Name)
                    and call.args[0].id == name and self.context.names.is_ray(call.func, scope, "put")):
                continue
            ref = statement.targets[0].id
            bound = [node for node in self._uses(ref) if not isinstance(getattr(node, "ctx", None), ast.Load)]
            if bound == [statement.targets[0]]:
                return ref, index
        return None

    def _ray_ready(self, home: ast.AST, placement: _Placement) -> bool:
        """A put before `ray.init` would start Ray by itself and make `ray.init` fail; a `ray.shutdown`
        between the put and a call site would free the ref."""
        for kind, position in self._lifecycle_calls().get(id(home), ()):
            if kind == "init" and position >= placement.start():
                return False
            if kind == "shutdown" and placement.start() <= position <= placement.end():
                return False
        return True

    def _lifecycle_calls(self) -> Dict[int, List[Tuple[str, Tuple[int, int]]]]:
        """id(home) -> the `ray.init` and `ray.shutdown` calls made in it, with their positions; found once
        per module (a search per fix would make a file with many findings quadratic)."""
        if self._lifecycle is None:
            self._lifecycle = {}
            names = self.context.names
            for call in self.context.walk.calls:
                for kind in ("init", "shutdown"):
                    if names.call_is_ray(call, kind):
                        position = (call.node.lineno, call.node.col_offset)
                        self._lifecycle.setdefault(id(self._home(call.node)), []).append((kind, position))
        return self._lifecycle

    # -- safety ----------------------------------------------------------------------------

    def _leaves_handler(self, node: ast.AST, home: ast.AST, placement: _Placement) -> bool:
        """True when the site sits in a `try` or `with` that the put goes before: a put that fails
        (an unpicklable value, a full object store) would raise outside of it."""
        for ancestor in self._ancestors(node):
            if ancestor is home:
                return False
            if isinstance(ancestor, _GUARDS) and not _strictly_contains(ancestor, placement.anchor):
                return True
        return False

    def _may_change(self, binding: Binding, name: str, home: ast.AST, placement: _Placement,
                    arguments: List[ast.Name]) -> bool:
        """True when the value may be rebound or mutated between the put and the last call site:
        inside that stretch of the function, or anywhere in another function that sees it."""
        replaced = {id(argument) for argument in arguments}
        start, end = placement.start(), placement.end()
        owner = binding.scope.node
        for node in self._uses(name) if owner is self.tree else self._uses_within(name, owner):
            if isinstance(node, ast.Nonlocal):
                outer = self._scope_of(node).parent
                if outer is not None and any(b is binding for b in outer.lookup(name) or ()):
                    return True  # a nested function rebinds it
                continue
            if node is binding.node or id(node) in replaced:
                continue
            if not any(b is binding for b in self._scope_of(node).lookup(name) or ()):
                continue
            if not self._mutates(node):
                continue
            if self._aliases(node):
                return True  # an alias made anywhere may be changed between the put and a submission
            if self._function_of(node) is not home or start <= (node.lineno, node.col_offset) <= end:
                return True
        return False

    def _mutates(self, name: ast.Name) -> bool:
        """Whether this use of the name may change the value (or rebind it, or hand it on to code that might)."""
        if not isinstance(name.ctx, ast.Load):
            return True
        parents = self._parent_map()
        expr: ast.AST = name
        parent = parents.get(id(expr))
        while isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is expr:
            expr, parent = parent, parents.get(id(parent))
        if not isinstance(getattr(expr, "ctx", ast.Load()), ast.Load):
            return True  # `big[i] = v`, `big.attr = v`, `del big[i]`, `big[i] += v`
        if isinstance(parent, ast.Call) and parent.func is expr:
            if not isinstance(expr, ast.Attribute):
                return True  # calling the value (a model updating its state, say)
            method = expr.attr
            return (
                method in _MUTATING_METHODS
                or _in_place_name(method)
                or any(k.arg == "inplace" and not _is_false(k.value) for k in parent.keywords)
            )
        if isinstance(parent, ast.keyword):
            return parent.arg == "out" or self._hands_on(parents[id(parent)], expr)
        if isinstance(parent, ast.Starred):
            parent = parents.get(id(parent))
        if isinstance(parent, ast.Call):
            return self._hands_on(parent, expr)
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.Return, ast.Yield, ast.YieldFrom,
                               ast.withitem, ast.For, ast.comprehension)):
            # an alias could be mutated later: `view = big[0]`, `t = big.T`, `for row in big`
            return expr is name or _may_alias(expr)
        return isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and (expr is name or _may_alias(expr))

    def _aliases(self, name: ast.Name) -> bool:
        """This use binds the value, or a part of it that may share its memory, to another name."""
        parents = self._parent_map()
        expr: ast.AST = name
        parent = parents.get(id(expr))
        while isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is expr:
            expr, parent = parent, parents.get(id(parent))
        if not isinstance(name.ctx, ast.Load):
            return False
        if isinstance(parent, ast.Starred):
            parent = parents.get(id(parent))
        if isinstance(parent, ast.keyword):
            parent = parents.get(id(parent))
        if isinstance(parent, ast.Call) and parent.func is not expr:
            # code raylint does not know may keep a reference and change the value later
            return self._hands_on(parent, expr)
        binds = (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.withitem, ast.For, ast.comprehension)
        return isinstance(parent, binds) and (expr is name or _may_alias(expr))

    def _hands_on(self, call: ast.Call, argument: ast.AST) -> bool:
        """Whether passing `argument` to `call` may mutate it: only known reading functions are trusted."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "remote":
            return False  # a submission serialises a copy
        qual = self.context.names.qualname(func, self._scope_of(call))
        if qual is None or qual in _WRITING_BUILTINS or _in_place_name(qual.rsplit(".", 1)[-1]):
            return True
        if qual in _MUTATING_FUNCTIONS:
            return bool(call.args) and call.args[0] is argument
        if qual.split(".")[0] not in _READING_PACKAGES:
            return True
        # numpy ufuncs take `out` as their third positional argument
        return qual.startswith("numpy.") and argument in call.args[2:]

    # -- where things are ------------------------------------------------------------------

    def _parent_map(self) -> Dict[int, ast.AST]:
        if self._parents is None:
            self._parents = {}
            self._names = {}
            for node in ast.walk(self.tree):
                for child in ast.iter_child_nodes(node):
                    self._parents[id(child)] = node
                if isinstance(node, ast.Name):
                    self._names.setdefault(node.id, []).append(node)
                elif isinstance(node, ast.Nonlocal):
                    for declared in node.names:
                        self._names.setdefault(declared, []).append(node)
        return self._parents

    def _uses(self, name: str) -> List[ast.AST]:
        """Every `Name` node spelling `name`, and the `nonlocal` statements declaring it."""
        self._parent_map()
        return self._names.get(name, [])

    def _uses_within(self, name: str, owner: ast.AST) -> List[ast.AST]:
        """`_uses` on the lines of `owner` (uses outside the scope that binds a name cannot see it),
        found by bisection: a name used in many functions would make a search per fix quadratic."""
        if name not in self._uses_by_line:
            uses = sorted(self._uses(name), key=lambda node: node.lineno)
            self._uses_by_line[name] = ([node.lineno for node in uses], uses)
        rows, uses = self._uses_by_line[name]
        return uses[bisect.bisect_left(rows, owner.lineno): bisect.bisect_right(rows, owner.end_lineno)]

    def _ancestors(self, node: ast.AST):
        parents = self._parent_map()
        current = parents.get(id(node))
        while current is not None:
            yield current
            current = parents.get(id(current))

    def _home(self, node: ast.AST) -> ast.AST:
        """The function (or module) whose body the put can go in: lambdas hold no statements."""
        key = id(node)
        if key not in self._homes:
            self._homes[key] = next((a for a in self._ancestors(node) if isinstance(a, _FUNCTIONS)), self.tree)
        return self._homes[key]

    def _function_of(self, node: ast.AST) -> ast.AST:
        """The function, lambda or module that runs `node`."""
        for ancestor in self._ancestors(node):
            if isinstance(ancestor, _FUNCTIONS + (ast.Lambda,)):
                return ancestor
        return self.tree

    def _scope_of(self, node: ast.AST) -> Scope:
        walk = self.context.walk
        for ancestor in self._ancestors(node):
            if isinstance(ancestor, _SCOPE_NODES):
                return walk.scopes.get(id(ancestor), walk.module_scope)
        return walk.module_scope

    def _scope_of_home(self, home: ast.AST) -> Scope:
        walk = self.context.walk
        return walk.module_scope if home is self.tree else walk.scopes[id(home)]

    @staticmethod
    def _visible(binding: Binding, scope: Scope) -> bool:
        current: Optional[Scope] = scope
        while current is not None:
            if current is binding.scope:
                return True
            current = current.parent
        return False

    def _statements_above(self, node: ast.AST, home: ast.AST) -> Optional[List[Tuple[List[ast.stmt], int]]]:
        """The statements holding `node` inside `home`, outermost first, as (block, index) pairs;
        None when a class body lies in between."""
        chain = []
        child = node
        for ancestor in self._ancestors(node):
            if isinstance(child, ast.stmt):
                if isinstance(child, ast.ClassDef):
                    return None
                block = _block_holding(ancestor, child)
                if block is None:
                    return None
                chain.append((block, next(i for i, s in enumerate(block) if s is child)))
            if ancestor is home:
                return list(reversed(chain))
            child = ancestor
        return None

    def _binding_statement(self, binding: Binding, home: ast.AST) -> Optional[ast.stmt]:
        """The statement binding the value when it is a statement of `home` (parameters come first anyway)."""
        if binding.kind == "param" or self._home(binding.node) is not home:
            return None
        node = binding.node
        for ancestor in [node, *self._ancestors(node)]:
            if isinstance(ancestor, ast.stmt):
                return ancestor
        return None

    def _value_arguments(self, site: CallSite, name: str, binding: Binding) -> List[ast.Name]:
        return [
            argument
            for argument in call_arguments(site.node)
            if isinstance(argument, ast.Name)
            and argument.id == name
            and any(b is binding for b in site.scope.lookup(name) or ())
        ]

    # -- names -----------------------------------------------------------------------------

    def _put_spelling(self, scope: Scope) -> Optional[str]:
        """`ray.put` as this module spells it (`r.put`, a bare `put`), or None when no spelling reaches it;
        once per scope."""
        if id(scope) not in self._spellings:
            self._spellings[id(scope)] = self._find_put_spelling(scope)
        return self._spellings[id(scope)]

    def _find_put_spelling(self, scope: Scope) -> Optional[str]:
        candidates = []
        current: Optional[Scope] = scope
        while current is not None:
            candidates += self._put_imports(current)
            current = current.parent
        for _, spelling, bound, module in sorted(candidates, key=lambda c: (c[0], c[1])):
            name = ast.Name(id=bound, ctx=ast.Load())
            probe = ast.Attribute(value=name, attr="put", ctx=ast.Load()) if module else name
            self._probes.append(probe)
            if self.context.names.is_ray(probe, scope, "put"):
                return spelling
        return None

    def _put_imports(self, scope: Scope) -> List[Tuple[int, str, str, bool]]:
        """(preference, spelling, bound name, whether it is the module) of each import in `scope` that can
        spell `ray.put`; once per scope, as every function's fixes look through the module's imports."""
        key = id(scope)
        if key not in self._imports:
            found = []
            for bound, bindings in scope.bindings.items():
                for binding in bindings:
                    if binding.kind != "import":
                        continue
                    if isinstance(binding.node, ast.Import) and binding.qualname == "ray":
                        found.append((0 if bound == "ray" else 1, f"{bound}.put", bound, True))
                    elif binding.qualname == "ray.put":
                        found.append((2, bound, bound, False))
            self._imports[key] = found
        return self._imports[key]

    def _fresh_name(self, value: str, home: ast.AST) -> str:
        """`big_ref` (`BIG_REF` at module level, `big_ref` in a function for a constant `BIG`), numbered when
        the function already uses that name: a new local must not shadow anything its body reads."""
        key = id(home)
        if key not in self._taken:
            self._taken[key] = taken_names(home) | set(dir(builtins))
        constant = len(value) > 1 and value.isupper()
        if constant and home is self.tree:
            base = f"{value}_REF"
        else:
            base = f"{value.lower() if constant else value}_ref"
        candidate, number = base, 0
        while candidate in self._taken[key]:
            number += 1
            candidate = f"{base}_{number}"
        return candidate


@libcst_class("CSTTransformer")
class _PassRef:
    """Passes the ref at the call sites and puts the value right before the anchor statement."""

    def __init__(self, targets: Sequence[cst.Name], ref: str, anchor: cst.CSTNode,
                 put: Optional[cst.SimpleStatementLine]):
        self.targets = {id(target) for target in targets}
        self.ref = ref
        self.anchor = anchor
        self.put = put
        self.inserted = False

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if id(original_node) in self.targets:
            return updated_node.with_changes(value=self.ref)
        return updated_node

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock):
        if self.put is None:
            return updated_node
        body = self.splice(original_node.body, updated_node.body)
        return updated_node if body is None else updated_node.with_changes(body=body)

    def splice(self, original: Sequence[cst.CSTNode], updated: Sequence[cst.CSTNode]) -> Optional[list]:
        """`updated` with the put before the anchor, which gives it its leading blank lines and keeps its
        comments; None when the anchor is not in this block."""
        for index, statement in enumerate(original):
            if statement is self.anchor:
                anchor = updated[index]
                above, below = split_leading_lines(anchor.leading_lines)
                put = self.put.with_changes(leading_lines=above)
                self.inserted = True
                return [*updated[:index], put, anchor.with_changes(leading_lines=below), *updated[index + 1:]]
        return None


def _rewrite(files, anchor: cst.CSTNode, touched: Sequence[cst.CSTNode], targets: Sequence[cst.Name], ref: str,
             statement: str) -> Optional[cst.Module]:
    """The module with the put inserted and the refs passed; only the top-level statements in `touched`
    are visited, so a fix costs the size of its function rather than of the file."""
    module = files.module
    put = parse_statement(statement, module) if statement is not None else None
    transformer = _PassRef(targets, ref, anchor, put)
    wanted = {id(statement) for statement in touched}
    body = [statement.visit(transformer) if id(statement) in wanted else statement for statement in module.body]
    if put is not None and not transformer.inserted:
        body = transformer.splice(module.body, body)
    if body is None:
        return None  # the first site's statement is in no block (an `elif`): no place for the put
    return module.with_changes(body=body)


def _block_holding(parent: ast.AST, statement: ast.stmt) -> Optional[List[ast.stmt]]:
    for _, value in ast.iter_fields(parent):
        if isinstance(value, list) and any(item is statement for item in value):
            return value
    return None


def _contains(outer: ast.stmt, inner: ast.stmt) -> bool:
    return (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset) and (
        inner.end_lineno, inner.end_col_offset) <= (outer.end_lineno, outer.end_col_offset)


def _strictly_contains(outer: ast.stmt, inner: ast.stmt) -> bool:
    return outer is not inner and _contains(outer, inner)


# Attributes that are plain numbers or descriptions of an array, never a view of its data.
_SCALAR_ATTRIBUTES = frozenset({"shape", "dtype", "size", "ndim", "nbytes", "itemsize", "strides", "columns",
                                "index", "dtypes", "device"})
# Functions that can return their argument itself or a view sharing its memory.
_VIEW_FUNCTIONS = frozenset({
    "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.ravel", "numpy.reshape",
    "numpy.transpose", "numpy.squeeze", "numpy.swapaxes", "numpy.moveaxis", "numpy.expand_dims",
    "numpy.broadcast_to", "numpy.atleast_1d", "numpy.atleast_2d", "numpy.atleast_3d", "numpy.diagonal",
    "numpy.flip", "numpy.fliplr", "numpy.flipud", "numpy.rot90", "numpy.frombuffer", "numpy.split",
    "numpy.array_split", "numpy.hsplit", "numpy.vsplit", "numpy.lib.stride_tricks.as_strided",
    "builtins.memoryview", "torch.as_tensor", "torch.from_numpy",
})


def _may_alias(expr: ast.AST) -> bool:
    """`big[0]`, `big.T`, `big.reshape(...)`: a part of the value that may share its memory (a numpy view,
    a row list of a list of lists); `big.shape` and the like cannot."""
    part = expr
    while isinstance(part, (ast.Attribute, ast.Subscript)):
        if isinstance(part, ast.Attribute) and part.attr in _SCALAR_ATTRIBUTES:
            return False  # `big.shape[0]`
        part = part.value
    return isinstance(expr, (ast.Attribute, ast.Subscript))


def _may_be_shared(value: Optional[ast.AST], names, scope: Scope) -> bool:
    """The value bound is another name's object or a view of it (`data = base[1:]`, `data = np.asarray(base)`),
    so changes through that other name reach it too."""
    while isinstance(value, ast.Call):
        qualname = names.qualname(value.func, scope)
        if qualname is not None:
            return qualname in _VIEW_FUNCTIONS
        if not isinstance(value.func, ast.Attribute) or value.func.attr == "copy":
            return False
        value = value.func.value  # `base.reshape(...)`, `base.view()`: the object they are called on
    if isinstance(value, ast.Attribute):
        return names.qualname(value, scope) is None and value.attr not in _SCALAR_ATTRIBUTES
    return isinstance(value, (ast.Name, ast.Subscript, ast.Starred))


def _in_place_name(name: str) -> bool:
    """torch's convention: `add_`, `zero_`, `normal_` work in place."""
    return name.endswith("_") and not name.endswith("__")


def _is_false(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is False


def _is_python_object(value: Optional[ast.AST]) -> bool:
    """Lists, dicts, sets and tuples: `ray.put` does not share them, each worker unpickles its own."""
    if isinstance(value, _PYTHON_OBJECTS):
        return True
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
        return _is_python_object(value.left) or _is_python_object(value.right)
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("list", "dict", "set", "tuple")
    )
