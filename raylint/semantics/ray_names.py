"""What Ray API is this expression? Import tracking and a small symbolic evaluator over one module.

Every spelling resolves to a qualified name (`r.get` after `import ray as r`, `fetch` after
`from ray import get as fetch`), local bindings shadow imports, and names carry a symbolic value
(a remote function, an actor handle, an ObjectRef, a list of refs...) so rules can tell
`ray.get(f.remote(x))` from `cache.get(key)` without running anything.
"""

from __future__ import annotations

import ast
import builtins
from typing import Dict, FrozenSet, List, Optional, Tuple

from raylint.semantics.analysis import keyword_value, Binding, CallSite, ModuleWalk, Scope

BUILTIN_NAMES = frozenset(dir(builtins))
# The project index's answer for a name of a checked module that is not a remote function (a
# home-grown `@remote` decorator, say): its `.remote(...)` is not a Ray submission.
NOT_REMOTE = "not-remote"
RESOURCE_KEYS = frozenset({"num_cpus", "num_gpus", "memory", "resources"})
SUBMISSION_ATTR = "remote"


class RemoteDef:
    """A remote function or actor class: where it is declared and with which options."""

    __slots__ = ("name", "node", "is_actor", "report_node", "options", "has_starstar", "qualname", "summary")

    def __init__(self, name, node, is_actor, report_node, options, has_starstar, qualname=None, summary=None):
        self.name = name
        self.node = node  # FunctionDef/ClassDef, or None when only a summary from another module is known
        self.is_actor = is_actor
        self.report_node = report_node  # the decorator expression or the `ray.remote(fn)` call
        self.options: Dict[str, ast.AST] = options
        self.has_starstar = has_starstar
        self.qualname = qualname
        self.summary = summary  # the project index entry, for definitions in other modules

    @property
    def option_keys(self):
        if self.summary is not None:
            return self.summary.option_keys
        return frozenset(self.options)

    @property
    def streaming(self) -> bool:
        if self.summary is not None:
            return self.summary.streaming
        return is_generator_returns(self.options.get("num_returns"))


def spelling(expr: ast.AST) -> str:
    """A short spelling of the `X` of `ray.remote(X)` for messages: `f`, `mod.f`, `make_class(...)`."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return f"{spelling(expr.value)}.{expr.attr}"
    if isinstance(expr, ast.Call):
        return f"{spelling(expr.func)}(...)"
    if isinstance(expr, ast.Subscript):
        return f"{spelling(expr.value)}[...]"
    if isinstance(expr, ast.Lambda):
        return "lambda"
    return "..."


def is_generator_returns(value: Optional[ast.AST]) -> bool:
    """`num_returns="streaming"` or `"dynamic"`: refs arrive one by one by design."""
    return isinstance(value, ast.Constant) and value.value in ("streaming", "dynamic")


class Value:
    """A symbolic value. `tag` is one of: module, qual, remote, options, handle, method, ref, refs,
    handles, waited, func, class. Unknown values are represented by None."""

    __slots__ = ("tag", "qual", "defn", "attr", "origin", "node")

    def __init__(self, tag, qual=None, defn=None, attr=None, origin=None, node=None):
        self.tag = tag
        self.qual = qual
        self.defn = defn
        self.attr = attr
        self.origin = origin
        self.node = node

    def __repr__(self):  # pragma: no cover - debugging aid
        return f"Value({self.tag}, {self.qual or self.attr or self.origin or ''})"


_UNSET = object()


class RayNames:
    """Resolves names, Ray APIs and symbolic values for one module."""

    def __init__(self, walk: ModuleWalk, module_name: str = "", index=None):
        self.walk = walk
        self.module_name = module_name
        self.index = index
        self._values: Dict[int, Optional[Value]] = {}
        self._ray_names: Dict[int, Optional[str]] = {}
        self._busy: set = set()
        self._cuts = 0  # how many values came out None because they were still being worked out (a cycle)
        self._name_values: Dict[int, Optional[Value]] = {}  # id(bindings list) -> their value
        self._remote_defs: Dict[int, Optional[RemoteDef]] = {}
        self._remote_definitions: Optional[List[RemoteDef]] = None
        self._task_code: Optional[Dict[int, RemoteDef]] = None
        self._ray_named: Dict[Optional[str], List[Tuple[int, str]]] = {}
        self._submission_sites: Optional[List[Tuple[CallSite, tuple]]] = None
        self._submission_targets: Dict[int, Optional[tuple]] = {}
        self._imported_roots: Optional[FrozenSet[str]] = None
        self._annotations: Dict[int, Optional[ast.expr]] = {}  # id(string constant) -> the expression it spells
        self._qualified: Dict[Tuple[str, str], Value] = {}  # (qualified name, attribute) -> their value, shared
        self.imports_ray = any(binding.qualname.split(".")[0].lstrip(".") == "ray" for binding in walk.imports)

    # -- qualified names -------------------------------------------------------------------

    def qualname(self, expr: ast.AST, scope: Scope) -> Optional[str]:
        """Dotted name of an imported object or module (`np.load` -> `numpy.load`), else None."""
        value = self.value(expr, scope)
        if value is not None and value.tag in ("module", "qual"):
            return value.qual
        return None

    def string_annotation(self, constant: ast.Constant) -> Optional[ast.expr]:
        """The expression a string annotation spells (`"ray.ObjectRef"`), or None when it does not parse.
        Parsed once per string and kept: every answer here is kept by `id` of the expression, and a parsed
        tree let go would leave its ids to the next one, with the old answers."""
        key = id(constant)
        if key not in self._annotations:
            try:
                self._annotations[key] = ast.parse(constant.value, mode="eval").body
            except (SyntaxError, ValueError):
                self._annotations[key] = None
        return self._annotations[key]

    def imported_roots(self) -> FrozenSet[str]:
        """The top-level package of everything the module imports (relative imports made absolute). Every
        qualified name raylint gives a value starts with one of them or with `builtins.`, so a rule looking
        for `os.fork` has nothing to find in a module that imports nothing from `os`."""
        if self._imported_roots is None:
            self._imported_roots = frozenset(
                self._import_value(binding).qual.split(".")[0] for binding in self.walk.imports
            )
        return self._imported_roots

    def is_ray(self, expr: ast.AST, scope: Scope, *names: str) -> bool:
        """True when `expr` resolves to one of `ray.<name>`."""
        name = self.ray_name(expr, scope)
        return name is not None and name in names

    def ray_name(self, expr: ast.AST, scope: Scope) -> Optional[str]:
        """The `x` when `expr` resolves to `ray.x`, else None. Rules ask this of many expressions, so the answer
        is kept per expression once its value is settled."""
        if not self.imports_ray:
            return None
        key = id(expr)
        name = self._ray_names.get(key, _UNSET)
        if name is _UNSET:
            qual = self.qualname(expr, scope)
            name = qual[4:] if qual is not None and qual.startswith("ray.") else None
            if key in self._values:  # not while the value is still being worked out (a cycle)
                self._ray_names[key] = name
        return name

    def call_is_ray(self, site: CallSite, *names: str) -> bool:
        return self.is_ray(site.node.func, site.scope, *names)

    def ray_calls(self, *names: str) -> List[CallSite]:
        """The calls of `ray.<name>` for one of `names`, in the walk's order; only the calls `calls_of` gives
        for their last parts are resolved (each rule used to resolve every call of the module)."""
        if not self.imports_ray:
            return []
        self.remote_definitions()  # resolved first, as when a rule asks for them before any call
        wanted = set(names)
        picked = [index for key in (None, *{name.rsplit(".", 1)[-1] for name in names})
                  for index, name in self._ray_calls_in(key) if name in wanted]
        picked.sort()
        calls = self.walk.calls
        return [calls[index] for index in picked]

    def _ray_calls_in(self, key: Optional[str]) -> List[Tuple[int, str]]:
        """(position, Ray name) of the calls of one `walk.calls_by_attribute` bucket that resolve into `ray`."""
        found = self._ray_named.get(key)
        if found is None:
            found = self._ray_named[key] = []
            calls = self.walk.calls
            for index in self.walk.calls_by_attribute.get(key, ()):
                site = calls[index]
                name = self.ray_name(site.node.func, site.scope)
                if name is not None:
                    found.append((index, name))
        return found

    def calls_of(self, *attributes: str) -> List[CallSite]:
        """The calls whose callee may resolve to a qualified name ending in one of `attributes`, in the walk's
        order: the calls of an attribute so named, of `self.x` (bound to any value) and of anything that is
        not an attribute (an imported alias may have any name). `obj.other(...)` resolves, if at all, to a
        name ending in `other` (`os.path.join` from `os.path` and `join`), so a rule looking for a few
        functions need not resolve it."""
        buckets = self.walk.calls_by_attribute
        picked = list(buckets[None])
        for attribute in set(attributes):
            picked.extend(buckets.get(attribute, ()))
        picked.sort()
        calls = self.walk.calls
        return [calls[index] for index in picked]

    # -- symbolic values -------------------------------------------------------------------

    def value(self, expr: ast.AST, scope: Scope) -> Optional[Value]:
        """The symbolic value of `expr`, kept by `id(expr)`: `expr` must live as long as this object (a node
        of the module's tree, or one kept here like `string_annotation`'s)."""
        key = id(expr)
        if key in self._values:
            return self._values[key]
        if key in self._busy:
            self._cuts += 1
            return None
        self._busy.add(key)
        try:
            result = self._evaluate(expr, scope)
        finally:
            self._busy.discard(key)
        self._values[key] = result
        return result

    def _evaluate(self, expr: ast.AST, scope: Scope) -> Optional[Value]:
        if isinstance(expr, ast.Name):
            return self._name_value(expr.id, scope)
        if isinstance(expr, ast.Attribute):
            return self._attribute_value(expr, scope)
        if isinstance(expr, ast.Call):
            return self._call_value(expr, scope)
        if isinstance(expr, ast.Subscript):
            return element_of(self.value(expr.value, scope), expr.slice)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return collection_of([self.value(e, scope) for e in expr.elts if not isinstance(e, ast.Starred)])
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            inner = self.walk.scopes.get(id(expr), scope)
            return collection_of([self.value(expr.elt, inner)])
        if isinstance(expr, ast.DictComp):
            inner = self.walk.scopes.get(id(expr), scope)
            return collection_of([self.value(expr.value, inner)])
        if isinstance(expr, ast.Dict):
            return collection_of([self.value(v, scope) for v in expr.values if v is not None])
        if isinstance(expr, ast.Await):
            return None
        if isinstance(expr, ast.NamedExpr):
            return self.value(expr.value, scope)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left, right = self.value(expr.left, scope), self.value(expr.right, scope)
            return left if left is not None and left.tag in ("refs", "handles") else right
        return None

    def _qualified_value(self, base: str, attribute: str) -> Value:
        """The value `base.attribute` (`builtins.len`, `ray.get`), one object per name: a module reads the
        same few names thousands of times."""
        key = (base, attribute)
        value = self._qualified.get(key)
        if value is None:
            value = self._qualified[key] = Value("qual", qual=f"{base}.{attribute}")
        return value

    def value_in_loops(self, expr: ast.AST, scope: Scope, loops) -> Optional[Value]:
        """Like `value`, but a name that is the target of an enclosing loop takes that loop's element,
        whatever other bindings of the same name exist elsewhere in the function."""
        if isinstance(expr, ast.Subscript):
            return element_of(self.value_in_loops(expr.value, scope, loops), expr.slice)
        if isinstance(expr, ast.Name):
            for loop in reversed(tuple(loops)):
                path = _target_path(loop.target, expr.id) if loop.target is not None else None
                if path is not None:
                    return _unpack(self._iterated(loop.iter, scope), path)
        return self.value(expr, scope)

    def _name_value(self, name: str, scope: Scope) -> Optional[Value]:
        """The value of a read of `name` in `scope`: that of the bindings the lookup finds. Lookups are
        flow-insensitive, so every read that finds the same bindings (the same list, kept under one name of
        one scope) has the same value: kept per bindings, unless a cycle cut the working-out short."""
        bindings = scope.lookup(name)
        if not bindings:
            if name in BUILTIN_NAMES:
                return self._qualified_value("builtins", name)
            return None
        key = id(bindings)
        value = self._name_values.get(key, _UNSET)
        if value is _UNSET:
            cuts = self._cuts
            value = self._bindings_value(name, bindings)
            if self._cuts == cuts:
                self._name_values[key] = value
        return value

    def _bindings_value(self, name: str, bindings: List[Binding]) -> Optional[Value]:
        imports = [b for b in bindings if b.kind == "import"]
        if imports:
            # `try: import ray / except ImportError: ray = None` still means Ray.
            return self._import_value(imports[-1])
        values = [self.binding_value(b) for b in bindings]
        known = [v for v in values if v is not None]
        if not known or len(known) != len(values):
            return self._container_value(name, bindings, known)
        first = known[0]
        if all(v.tag == first.tag for v in known):
            return first
        return None

    def _container_value(self, name: str, bindings: List[Binding], known: List[Value]) -> Optional[Value]:
        """A name bound to an empty container and filled with `.append(f.remote(x))`."""
        scope = bindings[0].scope
        added = scope.appends.get(name)
        if not added:
            return None
        if not all(_is_empty_container(b.value) or b.kind == "augassign" for b in bindings if b.kind != "param"):
            return None
        contents = []
        for value in added:
            inner = self.value(value, scope)
            if isinstance(value, (ast.List, ast.ListComp, ast.Tuple)) and inner is not None:
                inner = element_of(inner, None)
            contents.append(inner)
        return collection_of(contents)

    def _import_value(self, binding: Binding) -> Value:
        qual = binding.qualname
        if qual.startswith("."):
            qual = self._absolute(qual)
        node = binding.node
        if isinstance(node, ast.Import):
            return Value("module", qual=qual)
        return Value("qual", qual=qual)

    def _absolute(self, relative: str) -> str:
        level = len(relative) - len(relative.lstrip("."))
        package = self.module_name.split(".")
        package = package[: len(package) - level] if level <= len(package) else []
        rest = relative[level:]
        return ".".join(p for p in package + [rest] if p)

    def binding_value(self, binding: Binding) -> Optional[Value]:
        kind = binding.kind
        if kind == "def":
            remote = self.remote_def_of(binding.node)
            if remote is not None:
                return Value("remote", defn=remote)
            return Value("func", node=binding.node)
        if kind == "class":
            remote = self.remote_def_of(binding.node)
            if remote is not None:
                return Value("remote", defn=remote)
            return Value("class", node=binding.node)
        if kind == "import":
            return self._import_value(binding)
        if kind == "assign" and binding.value is not None:
            value = self.value(binding.value, binding.scope)
            return _unpack(value, binding.path)
        if kind == "for" and binding.value is not None:
            value = self._iterated(binding.value, binding.scope)
            return _unpack(value, binding.path)
        return None

    def _iterated(self, iterable: ast.AST, scope: Scope) -> Optional[Value]:
        """The value of one element when iterating `iterable` (enumerate/zip/items understood)."""
        if isinstance(iterable, ast.Call):
            func = iterable.func
            if isinstance(func, ast.Name) and func.id in ("enumerate", "zip", "reversed", "sorted", "list"):
                parts = [element_of(self.value(arg, scope), None) for arg in iterable.args]
                if func.id == "enumerate" and parts:
                    return Value("tuple", defn=[None, parts[0]])
                if func.id == "zip":
                    return Value("tuple", defn=parts)
                return parts[0] if parts else None
            if isinstance(func, ast.Attribute) and func.attr in ("values", "items") and not iterable.args:
                inner = element_of(self.value(func.value, scope), None)
                return Value("tuple", defn=[None, inner]) if func.attr == "items" else inner
        return element_of(self.value(iterable, scope), None)

    def _attribute_value(self, expr: ast.Attribute, scope: Scope) -> Optional[Value]:
        base = expr.value
        if type(base) is ast.Name:
            if base.id == "self":
                assigned = self._self_attribute(expr.attr, scope)
                if assigned is not None:
                    return assigned
            # a name's value is kept per the bindings it reads (`_name_value`), and a cycle through them
            # passes through `value` of a binding's value: the name itself needs no entry of its own
            value = self._name_value(base.id, scope)
        else:
            value = self.value(base, scope)
        if value is None:
            return None
        if value.tag in ("module", "qual"):
            return self._qualified_value(value.qual, expr.attr)
        if value.tag == "handle":
            return Value("method", defn=value.defn, attr=expr.attr)
        return None

    def _self_attribute(self, attr: str, scope: Scope) -> Optional[Value]:
        class_scope = scope
        while class_scope is not None and class_scope.kind != "class":
            class_scope = class_scope.parent
        if class_scope is None:
            return None
        assigned = self.walk.self_attrs.get(id(class_scope.node), {}).get(attr)
        if not assigned:
            return None
        values = [self.value(node, where) for node, where in assigned]
        if all(v is not None and v.tag == values[0].tag for v in values):
            return values[0]
        return None

    def _call_value(self, call: ast.Call, scope: Scope) -> Optional[Value]:
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr == SUBMISSION_ATTR and not self.is_ray(func, scope, "remote"):
                return self._submission_result(func.value, scope)
            if func.attr == "options":
                target = self.value(func.value, scope)
                if target is not None and target.tag in ("remote", "method"):
                    return Value("options", defn=target.defn, attr=target.attr, node=call)
                return None
        callee = self.value(func, scope)
        if callee is None:
            return None
        if callee.tag == "qual":
            qual = callee.qual
            if qual == "ray.put":
                return Value("ref", origin="put")
            if qual == "ray.get_actor":
                return Value("handle")
            if qual == "ray.wait":
                return Value("waited")
            if qual == "ray.get" and call.args:
                inner = self.value(call.args[0], scope)
                if inner is not None and inner.tag == "ref" and inner.origin == "stream":
                    return Value("refs", origin="stream")
            if qual == "ray.remote":
                return self._functional_remote(call, scope)
            if qual in ("builtins.list", "builtins.tuple") and call.args:
                inner = self.value(call.args[0], scope)
                return inner if inner is not None and inner.tag in ("refs", "handles") else None
        if callee.tag == "ray-remote-options":
            return self._functional_remote(call, scope, options_call=callee.node)
        return None

    def _functional_remote(self, call: ast.Call, scope: Scope, options_call: Optional[ast.Call] = None):
        """`ray.remote(fn)` or `ray.remote(num_cpus=1)(fn)`; `ray.remote(num_cpus=1)` alone is a decorator factory."""
        if options_call is None and not call.args:
            return Value("ray-remote-options", node=call)
        remote = self.functional_remote_def(call, scope, options_call)
        return Value("remote", defn=remote) if remote is not None else None

    def functional_remote_def(self, call: ast.Call, scope: Scope, options_call=None) -> Optional[RemoteDef]:
        key = id(call)
        if key in self._remote_defs:
            return self._remote_defs[key]
        self._remote_defs[key] = None
        if len(call.args) != 1:
            return None
        target = self.value(call.args[0], scope)
        node = target.node if target is not None and target.tag in ("func", "class") else None
        if target is not None and target.tag == "remote":
            return None
        keywords = options_call.keywords if options_call is not None else call.keywords
        options = {k.arg: k.value for k in keywords if k.arg}
        starstar = any(k.arg is None for k in keywords)
        name = spelling(call.args[0])
        is_actor = isinstance(node, ast.ClassDef)
        remote = RemoteDef(name, node, is_actor, options_call or call, options, starstar)
        self._remote_defs[key] = remote
        return remote

    def _submission_result(self, target_expr: ast.AST, scope: Scope) -> Optional[Value]:
        target = self.submission_target(target_expr, scope)
        if target is None:
            return None
        defn, attr, options = target
        if attr is None and defn is not None and defn.is_actor:
            return Value("handle", defn=defn)
        streaming = False
        if options is not None:
            streaming = is_generator_returns(keyword_value(options, "num_returns"))
        if attr is None and defn is not None and defn.streaming:
            streaming = True
        return Value("ref", origin="stream" if streaming else "task", defn=defn)

    def submission_target(self, target_expr: ast.AST, scope: Scope):
        """For the `X` of `X.remote(...)`: (RemoteDef or None, actor method name or None, options call or None),
        or None when `X.remote` is not a Ray submission."""
        value = self.value(target_expr, scope)
        if value is None:
            return None
        if value.tag == "remote":
            return value.defn, None, None
        if value.tag == "method":
            return value.defn, value.attr, None
        if value.tag == "options":
            return value.defn, value.attr, value.node
        if value.tag == "qual" and self.imports_ray and not value.qual.startswith(("ray.", "builtins.")):
            # a remote function imported from another module: use the project index when it knows it
            summary = self.index.lookup(value.qual) if self.index is not None else None
            if summary == NOT_REMOTE:
                return None
            if summary is None:
                return RemoteDef(value.qual.rsplit(".", 1)[-1], None, False, None, {}, False, value.qual), None, None
            return summary.as_remote_def(), None, None
        return None

    def is_submission(self, site: CallSite) -> bool:
        return self.site_submission(site) is not None

    def site_submission(self, site: CallSite) -> Optional[tuple]:
        """`submission_target` of a call `X.remote(...)`, None when it submits nothing; kept per call."""
        func = site.node.func
        if not (isinstance(func, ast.Attribute) and func.attr == SUBMISSION_ATTR and self.imports_ray):
            return None
        key = id(site.node)
        if key not in self._submission_targets:
            self._submission_targets[key] = self.submission_target(func.value, site.scope)
        return self._submission_targets[key]

    def submissions(self) -> List[Tuple[CallSite, tuple]]:
        """Every call that submits a task or an actor method or creates an actor, with its
        `submission_target`, in the walk's order; found once for the module."""
        if self._submission_sites is None:
            self._submission_sites = []
            if self.imports_ray:
                self.remote_definitions()
                for site in self.calls_of(SUBMISSION_ATTR):
                    target = self.site_submission(site)
                    if target is not None:
                        self._submission_sites.append((site, target))
        return self._submission_sites

    # -- remote definitions ----------------------------------------------------------------

    def remote_def_of(self, node: ast.AST) -> Optional[RemoteDef]:
        """The RemoteDef of a decorated def/class, or None when it is not `@ray.remote`."""
        key = id(node)
        if key in self._remote_defs:
            return self._remote_defs[key]
        self._remote_defs[key] = None
        if not self.imports_ray or not node.decorator_list:
            return None
        scope = self._definition_scope(node)
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            func = call.func if call is not None else decorator
            if not self.is_ray(func, scope, "remote"):
                continue
            keywords = call.keywords if call is not None else []
            options = {k.arg: k.value for k in keywords if k.arg}
            starstar = any(k.arg is None for k in keywords)
            remote = RemoteDef(
                node.name,
                node,
                isinstance(node, ast.ClassDef),
                decorator,
                options,
                starstar,
                qualname=f"{self.module_name}.{node.name}" if self.module_name else node.name,
            )
            self._remote_defs[key] = remote
            return remote
        return None

    def _definition_scope(self, node: ast.AST) -> Scope:
        definition = self.walk.definition_of(node)
        return definition.scope if definition is not None else self.walk.module_scope

    def task_code(self, function: Optional[ast.AST]) -> Optional[RemoteDef]:
        """The remote function or actor class whose code `function` is (the remote def itself, or a method of a
        remote class), else None: such code runs in a worker, once per task or method call."""
        if self._task_code is None:
            self._task_code = {}
            for remote in self.remote_definitions():
                if remote.node is None:
                    continue
                self._task_code[id(remote.node)] = remote
                if remote.is_actor:
                    for item in remote.node.body:
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            self._task_code[id(item)] = remote
        return self._task_code.get(id(function))

    def remote_definitions(self) -> List[RemoteDef]:
        """Every remote function/actor defined in this module, decorated or functional, in source order
        (computed once: most rules ask)."""
        if self._remote_definitions is None:
            self._remote_definitions = self._find_remote_definitions()
        return self._remote_definitions

    def _find_remote_definitions(self) -> List[RemoteDef]:
        found = []
        for definition in self.walk.definitions:
            remote = self.remote_def_of(definition.node)
            if remote is not None:
                found.append(remote)
        for site in self.calls_of("remote") if self.imports_ray else ():
            node = site.node
            if len(node.args) != 1:  # `ray.remote(fn)` and `ray.remote(**options)(fn)` take one argument
                continue
            func = node.func
            if not node.keywords and self.is_ray(func, site.scope, "remote"):
                remote = self.functional_remote_def(node, site.scope)
            elif isinstance(func, ast.Call) and self.is_ray(func.func, site.scope, "remote"):
                remote = self.functional_remote_def(node, site.scope, func)
            else:
                continue
            if remote is not None:
                found.append(remote)
        found.sort(key=lambda r: (r.report_node.lineno, r.report_node.col_offset))
        return found


def _is_empty_container(expr: Optional[ast.AST]) -> bool:
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)) and not expr.elts:
        return True
    if isinstance(expr, ast.Dict) and not expr.keys:
        return True
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id in ("list", "dict", "set", "deque")
        and not expr.args
    )


def collection_of(values: List[Optional[Value]]) -> Optional[Value]:
    """A list/tuple/dict of refs (or of handles) when every known element is one."""
    if not values or any(v is None for v in values):
        return None
    tags = {v.tag for v in values}
    if tags == {"ref"}:
        origins = {v.origin for v in values}
        return Value("refs", origin=origins.pop() if len(origins) == 1 else "task", defn=values[0].defn)
    if tags == {"handle"}:
        return Value("handles", defn=values[0].defn)
    if tags == {"refs"}:
        return Value("nested-refs")
    return None


def element_of(value: Optional[Value], index: Optional[ast.AST]) -> Optional[Value]:
    """The value of `container[i]` or of one iteration over `container`."""
    if value is None:
        return None
    if value.tag == "refs":
        if isinstance(index, ast.Slice):
            return value
        return Value("ref", origin=value.origin, defn=value.defn)
    if value.tag == "handles":
        return Value("handle", defn=value.defn)
    if value.tag == "waited":
        # both halves of `ray.wait(...)` and their elements come from ray.wait
        return Value("waited")
    if value.tag == "ref" and value.origin == "stream":
        return Value("ref", origin="stream")
    if value.tag == "tuple" and isinstance(index, ast.Constant) and isinstance(index.value, int):
        parts = value.defn
        return parts[index.value] if 0 <= index.value < len(parts) else None
    return None


def _target_path(target: ast.AST, name: str):
    """Where `name` sits inside a loop target (`i, (a, b)` gives b the path (1, 1)), or None."""
    if isinstance(target, ast.Name):
        return () if target.id == name else None
    if isinstance(target, (ast.Tuple, ast.List)):
        for index, element in enumerate(target.elts):
            inner = _target_path(element, name)
            if inner is not None:
                return (index,) + inner
    return None


def _unpack(value: Optional[Value], path) -> Optional[Value]:
    for position in path:
        if value is None:
            return None
        if value.tag == "tuple":
            parts = value.defn
            value = parts[position] if position < len(parts) else None
        else:
            value = element_of(value, None)
    return value
