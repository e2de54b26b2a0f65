"""One walk over a module's `ast`: scopes, bindings, loops and the calls the rules care about.

Rules never walk the tree themselves; they read what this walk recorded, so a file costs one
parse and one traversal however many rules are enabled.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Sequence, Tuple

from raylint.ftypes import Location



class Binding:
    """One place where a name gets a value: an import, a def, an assignment, a loop target..."""

    __slots__ = ("kind", "node", "value", "path", "scope", "loops", "qualname")

    def __init__(self, kind, node, value=None, path=(), scope=None, loops=(), qualname=None):
        self.kind = kind  # import | def | class | param | assign | for | with | except | global-decl
        self.node = node
        self.value = value  # the expression assigned or iterated
        self.path = path  # positions inside a tuple target: `a, (b, c) = v` gives c the path (1, 1)
        self.scope = scope
        self.loops = loops
        self.qualname = qualname  # for imports: the dotted name bound


class Scope:
    """A Python scope (module, function, lambda, class or comprehension) and its bindings."""

    __slots__ = ("kind", "node", "parent", "bindings", "globals", "appends", "function")

    def __init__(self, kind: str, node: ast.AST, parent: Optional["Scope"]):
        self.kind = kind
        self.node = node
        self.parent = parent
        self.bindings: Dict[str, List[Binding]] = {}
        self.globals: set = set()
        # values added to a container name: `refs.append(v)`, `refs += [v]`, `d[k] = v`
        self.appends: Dict[str, List[ast.AST]] = {}
        # the nearest enclosing function or lambda (self for function scopes), None at module level
        self.function = node if kind in ("function", "lambda") else (parent.function if parent else None)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def lookup(self, name: str) -> Optional[List[Binding]]:
        """The bindings a read of `name` in this scope sees (Python's LEGB rules, flow-insensitive)."""
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            if name in scope.globals:
                return self.module().bindings.get(name)
            # class bodies are not visible from functions nested in them
            if first or scope.kind != "class":
                found = scope.bindings.get(name)
                if found:
                    return found
            first = False
            scope = scope.parent
        return None


class Loop:
    """A loop frame: a `for`/`async for`/`while` statement, one comprehension clause, or `map(lambda ...)`."""

    __slots__ = ("kind", "node", "iter", "target", "clause")

    def __init__(self, kind: str, node: ast.AST, iter_=None, target=None, clause=None):
        self.kind = kind  # for | while | comprehension | map
        self.node = node
        self.iter = iter_
        self.target = target
        self.clause = clause


class CallSite:
    """A call together with where it sits: its scope, the loops around it and its enclosing function."""

    __slots__ = ("node", "scope", "loops", "function", "class_node")

    def __init__(self, node: ast.Call, scope: Scope, loops: Tuple[Loop, ...], function, class_node):
        self.node = node
        self.scope = scope
        self.loops = loops
        self.function = function
        self.class_node = class_node


class Definition:
    """A def or class statement with the scope it is bound in and the scope of its body."""

    __slots__ = ("node", "scope", "body_scope", "loops", "class_node")

    def __init__(self, node, scope, body_scope, loops, class_node):
        self.node = node
        self.scope = scope
        self.body_scope = body_scope
        self.loops = loops
        self.class_node = class_node


# node class -> the unbound ModuleWalk method that visits it (None: nothing to visit), looked up once per class.
# Names, constants, contexts and operators hold nothing a rule looks for.
_HANDLERS: Dict[type, object] = {
    cls: None
    for base in (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
    for cls in base.__subclasses__()
}
_HANDLERS.update({ast.Name: None, ast.Constant: None})
# node class -> the fields the generic visit looks into: `_fields` in order, less those that never hold a node
# worth a visit (a context, a name or other plain value), so that the hot loop does not fetch them
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_PLAIN_FIELDS = frozenset({"ctx", "id", "attr", "arg", "name", "module", "level", "type_comment", "kind",
                           "conversion", "is_async"})


def _handler_of(cls: type):
    """The visit method of a node class not seen before; anything that is not a node has nothing to visit."""
    if issubclass(cls, ast.AST):
        handler = getattr(ModuleWalk, "_visit_" + cls.__name__, ModuleWalk._visit_children)
    else:
        handler = None
    _HANDLERS[cls] = handler
    return handler


class ModuleWalk:
    """Builds scopes, bindings, loop frames and call sites in one traversal of the tree."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.module_scope = Scope("module", tree, None)
        self.calls: List[CallSite] = []
        # positions in `calls` by the callee's attribute name (`obj.join(...)` under "join"); None for the
        # callees any name may reach: plain names, `self.x` and everything else (RayNames.calls_of)
        self.calls_by_attribute: Dict[Optional[str], List[int]] = {None: []}
        self.imports: List[Binding] = []  # every import binding, in every scope, in source order
        self.definitions: List[Definition] = []
        self.scopes: Dict[int, Scope] = {}  # id(def/class/lambda node) -> body scope
        # class node -> attribute name -> values assigned to `self.<name>` in its methods
        self.self_attrs: Dict[int, Dict[str, List[Tuple[ast.AST, Scope]]]] = {}
        # id(value) -> the `x = value` / `x: T = value` statement assigning it (no parent map needed)
        self.assignment_of: Dict[int, ast.stmt] = {}
        # every `x: T` / `x: T = v` statement with its scope: the walk skips its annotation or its target
        # (see unwalked.py)
        self.annotated: List[Tuple[ast.AnnAssign, Scope]] = []
        self._scope = self.module_scope
        self._loops: Tuple[Loop, ...] = ()
        self._class: Optional[ast.ClassDef] = None
        self._declared_global: Optional[Dict[str, List[Scope]]] = None
        self._sites_by_node: Optional[Dict[int, CallSite]] = None
        self._definitions_by_node: Optional[Dict[int, Definition]] = None
        self._visit_each(tree.body)

    def sites_by_node(self) -> Dict[int, CallSite]:
        """id(call node) -> its CallSite, built once when first asked (rules and fixes of a file share it)."""
        if self._sites_by_node is None:
            self._sites_by_node = {id(site.node): site for site in self.calls}
        return self._sites_by_node

    def definition_of(self, node: ast.AST) -> Optional[Definition]:
        """The Definition of a def or class node, None for any other node; from a map built once when first
        asked (a scan of `definitions` per question is quadratic in a module of many definitions)."""
        if self._definitions_by_node is None:
            self._definitions_by_node = {id(definition.node): definition for definition in self.definitions}
        return self._definitions_by_node.get(id(node))

    def declared_global(self) -> Dict[str, List[Scope]]:
        """name -> the scopes declaring it `global` (the module's first, then in the order the scopes were
        made): module state one function may write and another read. Built once, when first asked."""
        if self._declared_global is None:
            self._declared_global = {}
            for scope in (self.module_scope, *self.scopes.values()):
                for name in scope.globals:
                    self._declared_global.setdefault(name, []).append(scope)
        return self._declared_global

    def release(self) -> None:
        """Break the cycles between scopes and their bindings once the file is done, so that its analysis
        (and the tree it holds) is freed at once by reference counting: left to the cyclic collector, a big
        module's millions of objects cost a full collection, seconds of it at the end of the run."""
        for scope in (self.module_scope, *self.scopes.values()):
            scope.bindings = {}

    # -- traversal -------------------------------------------------------------------------

    def _visit_each(self, nodes: Sequence[ast.AST]) -> None:
        handlers = _HANDLERS  # `_visit` inlined, as in `_visit_children`
        for node in nodes:
            cls = node.__class__
            handler = handlers[cls] if cls in handlers else _handler_of(cls)
            if handler is not None:
                handler(self, node)

    def _visit_children(self, node: ast.AST) -> None:
        # the generic visit, with the dispatch of `_visit` inlined: most children are names and constants,
        # and a call per child to find that out is most of the walk's cost
        handlers = _HANDLERS
        fields = _CHILD_FIELDS.get(node.__class__)
        if fields is None:
            fields = _CHILD_FIELDS[node.__class__] = tuple(f for f in node._fields if f not in _PLAIN_FIELDS)
        for field in fields:
            value = getattr(node, field, None)
            if value.__class__ is list:
                for item in value:
                    cls = item.__class__
                    handler = handlers[cls] if cls in handlers else _handler_of(cls)
                    if handler is not None:
                        handler(self, item)
            else:
                cls = value.__class__
                handler = handlers[cls] if cls in handlers else _handler_of(cls)
                if handler is not None:
                    handler(self, value)

    def _visit(self, node: ast.AST) -> None:
        cls = node.__class__
        handler = _HANDLERS[cls] if cls in _HANDLERS else _handler_of(cls)
        if handler is not None:
            handler(self, node)

    def _visit_value(self, node: ast.AST) -> None:
        """The most frequent nodes (an attribute is a quarter of all) have one child worth a visit, `value`:
        visited without the generic loop over their fields."""
        value = node.value
        cls = value.__class__
        handler = _HANDLERS[cls] if cls in _HANDLERS else _handler_of(cls)
        if handler is not None:
            handler(self, value)

    _visit_Attribute = _visit_Expr = _visit_Return = _visit_keyword = _visit_Await = _visit_Starred = _visit_value

    def _enter(self, kind: str, node: ast.AST) -> Scope:
        scope = Scope(kind, node, self._scope)
        self.scopes[id(node)] = scope
        return scope

    def _bind(self, name: str, kind: str, node: ast.AST, value=None, path=(), qualname=None, scope=None) -> Binding:
        if scope is None:
            scope = self._scope
        binding = Binding(kind, node, value, path, scope, self._loops, qualname)
        found = scope.bindings.get(name)  # Scope.bind inlined: every binding goes through here
        if found is None:
            scope.bindings[name] = [binding]
        else:
            found.append(binding)
        return binding

    def _bind_target(self, target: ast.AST, kind: str, value, path=()) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, kind, target, value, path)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for index, element in enumerate(target.elts):
                self._bind_target(element, kind, value, path + (index,))
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, kind, None, path)
        elif isinstance(target, ast.Subscript):
            self._visit(target)
            if isinstance(target.value, ast.Name) and value is not None and not path:
                self._scope.appends.setdefault(target.value.id, []).append(value)
        elif isinstance(target, ast.Attribute):
            self._visit(target)
            if (
                self._class is not None
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and value is not None
                and not path
            ):
                attrs = self.self_attrs.setdefault(id(self._class), {})
                attrs.setdefault(target.attr, []).append((value, self._scope))
        else:
            self._visit(target)

    def _visit_FunctionDef(self, node) -> None:
        for decorator in node.decorator_list:
            self._visit(decorator)
        self._visit_arguments_defaults(node.args)
        if node.returns is not None:
            self._visit(node.returns)
        self._bind(node.name, "def", node)
        scope = self._enter("function", node)
        self.definitions.append(Definition(node, self._scope, scope, self._loops, self._class))
        self._bind_parameters(node.args, scope)
        outer = (self._scope, self._loops)
        self._scope, self._loops = scope, ()
        self._visit_each(node.body)
        self._scope, self._loops = outer

    _visit_AsyncFunctionDef = _visit_FunctionDef

    def _visit_Lambda(self, node: ast.Lambda, loop: Optional[Loop] = None) -> None:
        self._visit_arguments_defaults(node.args)
        scope = self._enter("lambda", node)
        self._bind_parameters(node.args, scope)
        outer = (self._scope, self._loops)
        self._scope, self._loops = scope, ((loop,) if loop else ())
        self._visit(node.body)
        self._scope, self._loops = outer

    def _visit_arguments_defaults(self, args: ast.arguments) -> None:
        for default in args.defaults:
            self._visit(default)
        for default in args.kw_defaults:
            if default is not None:
                self._visit(default)

    def _bind_parameters(self, args: ast.arguments, scope: Scope) -> None:
        bind = scope.bind
        for group in (args.posonlyargs, args.args, args.kwonlyargs):
            for arg in group:
                bind(arg.arg, Binding("param", arg, None, (), scope, ()))
        for arg in (args.vararg, args.kwarg):
            if arg:
                bind(arg.arg, Binding("param", arg, None, (), scope, ()))

    def _visit_ClassDef(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self._visit(decorator)
        for base in node.bases:
            self._visit(base)
        for keyword in node.keywords:
            self._visit(keyword.value)
        self._bind(node.name, "class", node)
        scope = self._enter("class", node)
        self.definitions.append(Definition(node, self._scope, scope, self._loops, self._class))
        outer = (self._scope, self._loops, self._class)
        self._scope, self._loops, self._class = scope, (), node
        self._visit_each(node.body)
        self._scope, self._loops, self._class = outer

    def _visit_For(self, node) -> None:
        self._visit(node.iter)
        loop = Loop("for", node, node.iter, node.target)
        outer = self._loops
        self._loops = outer + (loop,)
        self._bind_target(node.target, "for", node.iter)
        self._visit_each(node.body)
        self._visit_each(node.orelse)
        self._loops = outer

    _visit_AsyncFor = _visit_For

    def _visit_While(self, node: ast.While) -> None:
        outer = self._loops
        self._loops = outer + (Loop("while", node),)
        self._visit(node.test)
        self._visit_each(node.body)
        self._visit_each(node.orelse)
        self._loops = outer

    def _visit_comprehension_node(self, node) -> None:
        generators = node.generators
        self._visit(generators[0].iter)
        scope = self._enter("comprehension", node)
        outer = (self._scope, self._loops)
        self._scope = scope
        for index, clause in enumerate(generators):
            if index:
                self._visit(clause.iter)
            self._loops = self._loops + (Loop("comprehension", node, clause.iter, clause.target, clause),)
            self._bind_target(clause.target, "for", clause.iter)
            for condition in clause.ifs:
                self._visit(condition)
        if isinstance(node, ast.DictComp):
            self._visit(node.key)
            self._visit(node.value)
        else:
            self._visit(node.elt)
        self._scope, self._loops = outer

    _visit_ListComp = _visit_SetComp = _visit_DictComp = _visit_GeneratorExp = _visit_comprehension_node

    def _visit_Assign(self, node: ast.Assign) -> None:
        self.assignment_of[id(node.value)] = node
        self._visit(node.value)
        for target in node.targets:
            self._bind_target(target, "assign", node.value)

    def _visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.annotated.append((node, self._scope))
        if node.value is not None:
            self.assignment_of[id(node.value)] = node
            self._visit(node.value)
            self._bind_target(node.target, "assign", node.value)
        else:
            self._visit(node.annotation)

    def _visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._visit(node.value)
        if isinstance(node.target, ast.Name):
            self._bind(node.target.id, "augassign", node.target, node.value)
            if isinstance(node.value, (ast.List, ast.ListComp, ast.Tuple)):
                self._scope.appends.setdefault(node.target.id, []).append(node.value)
        else:
            self._visit(node.target)

    def _visit_NamedExpr(self, node) -> None:
        self._visit(node.value)
        scope = self._scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        self._bind(node.target.id, "assign", node.target, node.value, scope=scope)

    def _visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.imports.append(self._bind(alias.asname, "import", node, qualname=alias.name))
            else:
                top = alias.name.split(".")[0]
                self.imports.append(self._bind(top, "import", node, qualname=top))

    def _visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = ("." * (node.level or 0)) + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            base = module if module.endswith(".") else module + "."
            self.imports.append(self._bind(alias.asname or alias.name, "import", node, qualname=base + alias.name))

    def _visit_With(self, node) -> None:
        for item in node.items:
            self._visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, "with", item.context_expr)
        self._visit_each(node.body)

    _visit_AsyncWith = _visit_With

    def _visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self._visit(node.type)
        if node.name:
            self._bind(node.name, "except", node)
        self._visit_each(node.body)

    def _visit_Global(self, node: ast.Global) -> None:
        self._scope.globals.update(node.names)

    def _visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        return None

    def _visit_Call(self, node: ast.Call) -> None:
        func = node.func
        site = CallSite(node, self._scope, self._loops, self._scope.function, self._class)
        is_attribute = func.__class__ is ast.Attribute
        on_name = is_attribute and func.value.__class__ is ast.Name
        key = func.attr if is_attribute and not (on_name and func.value.id == "self") else None
        found = self.calls_by_attribute.get(key)
        if found is None:
            self.calls_by_attribute[key] = [len(self.calls)]
        else:
            found.append(len(self.calls))
        self.calls.append(site)
        if on_name and node.args and func.attr in ("append", "add", "extend", "insert", "appendleft"):
            self._scope.appends.setdefault(func.value.id, []).append(node.args[-1])
        # map(lambda x: f.remote(x), big) is a fan-out loop in all but syntax
        if (
            isinstance(func, ast.Name)
            and func.id == "map"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Lambda)
        ):
            self._visit(func)
            for arg in node.args[1:]:
                self._visit(arg)
            self._visit_Lambda(node.args[0], Loop("map", node, node.args[1]))
            return
        # the generic visit of its fields, spelled out: a call is the second most frequent node
        self._visit(func)
        self._visit_each(node.args)
        self._visit_each(node.keywords)


def keyword_value(call: ast.Call, name: str) -> Optional[ast.AST]:
    """The value passed as `name=` to `call`, or None."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def call_arguments(call: ast.Call):
    """The top-level argument expressions of a call (not `*args`/`**kwargs` spreads)."""
    for argument in call.args:
        if not isinstance(argument, ast.Starred):
            yield argument
    for keyword in call.keywords:
        if keyword.arg is not None:
            yield keyword.value


def node_contains(outer: ast.AST, inner: ast.AST) -> bool:
    """True when `inner` lies within `outer`'s source span (positions are enough for this)."""
    start = (outer.lineno, outer.col_offset)
    end = (outer.end_lineno, outer.end_col_offset)
    return start <= (inner.lineno, inner.col_offset) and (inner.end_lineno, inner.end_col_offset) <= end


def code_point_column(line: str, byte_offset: int) -> int:
    """Convert an `ast` UTF-8 byte offset into a 1-based code-point column."""
    if line.isascii():
        return byte_offset + 1
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def span_of(lines: List[str], node: ast.AST) -> Tuple[Location, Location]:
    """Start and exclusive end of `node`, 1-based, in code points."""
    row, end_row = node.lineno, node.end_lineno or node.lineno
    start_line = lines[row - 1] if 0 < row <= len(lines) else ""
    end_line = lines[end_row - 1] if 0 < end_row <= len(lines) else ""
    end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
    return (
        Location(row, code_point_column(start_line, node.col_offset)),
        Location(end_row, code_point_column(end_line, end_col)),
    )


def scoped_names(walk: ModuleWalk, nodes: Sequence[ast.AST], scope: Scope):
    """Every `Name` under `nodes` with the scope it is looked up in: nested defs, lambdas and comprehensions
    switch to their own scope (their decorators, defaults and first iterable included, a slight overreach)."""
    stack = [(node, scope) for node in nodes]
    push = stack.append
    scopes = walk.scopes
    while stack:
        node, where = stack.pop()
        if isinstance(node, ast.Name):
            yield node, where
            continue  # a Name's only child is its context
        inner = scopes.get(id(node), where)
        # ast.iter_child_nodes inlined (same children, same order)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        push((item, inner))
            elif isinstance(value, ast.AST):
                push((value, inner))
