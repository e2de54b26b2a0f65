"""RAY005's rewrites: tasks that load their own part of a `.npy` file (memory-mapped), or a loader task whose
ref replaces a `ray.put` of data the driver loaded."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple


from raylint.fixers.lazy_cst import cst
from raylint.semantics.analysis import Scope
from raylint.fixers.base import BUILD, SAFE, UNSAFE, build_fix, parse_expression, parse_statement
from raylint.fixers.plan_checks import (
    alone_on_its_lines,
    block_holding,
    code_of,
    generated_name,
    starts_line,
    too_deep_for_cst,
)
from raylint.fixers.rewrite import (
    CELL_MARKER,
    Rewrite,
    add_import,
    blank_lines,
    block_of,
    call_sites_by_node,
    can_add_import,
    definition_scope,
    fresh_name,
    generated,
    module_name_visible,
    only_ray_remote_decorator,
    parents,
    plain_options,
    rename_callee,
    scope_taken_names,
    sole_callers,
    taken_names,
)
from raylint.fixers.safety import in_handler
from raylint.ftypes import Fix

REMOTE_SCHEMES = ("s3://", "s3a://", "gs://", "gcs://", "hdfs://", "http://", "https://", "abfs://", "az://")
# Metadata a memory-mapped array answers from the file header, without reading the data.
_METADATA = frozenset({"shape", "dtype", "ndim", "size", "itemsize", "nbytes"})
# Loaders that take a path (or URI) and return the data: a task can call them with the same arguments.
# `pickle.load(fh)` and friends take an open file, which cannot be sent to a task.
_PATH_LOADERS = frozenset({
    "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile", "torch.load", "joblib.load",
    "pyarrow.parquet.read_table", "pyarrow.feather.read_table", "pyarrow.feather.read_feather",
    "pyarrow.csv.read_csv", "pyarrow.json.read_json", "pyarrow.orc.read_table",
})
_PATH_LOADER_PREFIXES = ("pandas.read_", "polars.read_", "polars.scan_")
_PATH_METHODS = frozenset({"resolve", "absolute", "joinpath", "with_suffix", "with_name", "expanduser", "format"})
_ABSOLUTE_CALLS = frozenset({"os.path.abspath", "os.path.realpath"})
_PATH_KEEPING_CALLS = frozenset({"os.path.dirname", "os.path.normpath", "os.fspath", "pathlib.Path", "builtins.str"})


def load_in_tasks(context, loader: ast.Call, scope: Scope) -> Optional[Fix]:
    """The RAY005 fix for one driver-side load, or None when its shape is not one of those handled."""
    shape = _shape(context, loader, scope)
    if shape is None:
        return None
    if shape[0] == "loader-task":
        return _loader_task(context, loader, scope, *shape[1:])
    return _per_task_load(context, loader, scope, *shape[1:])


def plan_load_in_tasks(context, loader: ast.Call, scope: Scope):
    """What `load_in_tasks` gives, without its edits, decided on the `ast` by the same decisions (`raylint
    check` needs no more); BUILD for code nested too deeply for libcst, statements and task definitions
    that are not laid out one to a line (libcst may not find them), a loader spelled with parentheses or
    over lines (the title quotes it), and a generated name already defined (whether that definition is
    reused is a comparison of libcst code)."""
    shape = _shape(context, loader, scope)
    if shape is None:
        return None
    if shape[0] == "loader-task":
        return _plan_loader_task(context, loader, scope, *shape[1:])
    return _plan_per_task_load(context, loader, scope, *shape[1:])


def _shape(context, loader: ast.Call, scope: Scope):
    """Which rewrite fits the load: ("loader-task", qualname, put, statement or None, parents),
    ("per-task", statement, uses), or None."""
    family = parents(context.tree)
    sites = call_sites_by_node(context)
    qualname = context.loaders.loader_name(loader, scope)
    parent = family.get(id(loader))
    if isinstance(parent, ast.Call) and _is_put_of(parent, loader, context.names, sites):
        return "loader-task", qualname, parent, None, family
    if not (isinstance(parent, ast.Assign) and parent.value is loader and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)):
        return None
    name = parent.targets[0].id
    owner = scope
    while owner.kind not in ("module", "function"):
        owner = owner.parent
    uses = _uses(context, name, owner, parent, family, sites)
    if uses is None:
        return None
    if len(uses.puts) == 1 and not uses.tasks and not uses.metadata:
        return "loader-task", qualname, uses.puts[0], parent, family
    if qualname == "numpy.load" and uses.tasks and not uses.puts:
        return "per-task", parent, uses
    return None


# -- what the driver does with the loaded value ------------------------------------------------------


@dataclass
class _TaskUse:
    call: ast.Call  # the submission
    remote: object  # its RemoteDef
    param: str  # the parameter receiving the data
    keyword: Optional[str]  # the keyword it is passed as, or None when positional
    index: int  # its position among the call's arguments (positional) or keywords
    argument: ast.AST  # `values[a:b]` or `values`
    sliced: bool


@dataclass
class _Uses:
    tasks: List[_TaskUse] = field(default_factory=list)
    puts: List[ast.Call] = field(default_factory=list)
    metadata: List[ast.AST] = field(default_factory=list)


def _uses(context, name: str, owner: Scope, statement: ast.Assign, family, sites) -> Optional[_Uses]:
    """Every mention of the loaded name, when each is a task argument (whole or one plain slice), the single
    argument of `ray.put`, or metadata (`len(x)`, `x.shape`); None when any other use exists."""
    bindings = owner.bindings.get(name) or []
    if len(bindings) != 1 or bindings[0].node is not statement.targets[0]:
        return None
    names = context.names
    uses = _Uses()
    for node in ast.walk(owner.node):
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
        if not isinstance(node, ast.Name) or node.id != name or node is statement.targets[0]:
            continue
        if not isinstance(node.ctx, ast.Load) or (node.lineno, node.col_offset) < (statement.end_lineno,
                                                                                   statement.end_col_offset):
            return None
        parent = family.get(id(node))
        argument, sliced = node, False
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if not (isinstance(parent.slice, ast.Slice) and parent.slice.step is None
                    and isinstance(parent.ctx, ast.Load)):
                return None
            argument, sliced = parent, True
            parent = family.get(id(parent))
        if (isinstance(parent, ast.Attribute) and not sliced and parent.attr in _METADATA
                and isinstance(parent.ctx, ast.Load)):
            uses.metadata.append(parent)
            continue
        holder = parent
        if isinstance(parent, ast.keyword):
            holder = family.get(id(parent))
        if not isinstance(holder, ast.Call):
            return None
        site = sites.get(id(holder))
        if site is None or site.scope.lookup(name) is not bindings:
            return None
        if not sliced and holder.args == [node] and not holder.keywords:
            if names.qualname(holder.func, site.scope) == "builtins.len":
                uses.metadata.append(holder)
                continue
            if names.call_is_ray(site, "put"):
                uses.puts.append(holder)
                continue
        use = _task_use(context, site, argument, sliced, parent)
        if use is None:
            return None
        uses.tasks.append(use)
    uses.tasks.sort(key=lambda use: (use.call.lineno, use.call.col_offset))
    calls = [use.call for use in uses.tasks]
    if len(set(map(id, calls))) != len(calls):
        return None  # two slices in one call
    return uses


def _task_use(context, site, argument: ast.AST, sliced: bool, parent: ast.AST) -> Optional[_TaskUse]:
    """The submission receiving `argument`, when it is a task of this module that a copy can replace."""
    names = context.names
    call = site.node
    if not names.is_submission(site) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    target = names.submission_target(call.func.value, site.scope)
    remote, method = target[0], target[1]
    if remote is None or method is not None or remote.is_actor or remote.summary is not None:
        return None
    if not only_ray_remote_decorator(remote) or "num_returns" in remote.options:
        return None
    function: ast.FunctionDef = remote.node
    if plain_options(call.func.value, function.name) is None:
        return None
    home = definition_scope(context, function)
    if home is None or home.kind != "module":
        return None
    args = function.args
    positional = list(args.posonlyargs) + list(args.args)
    if isinstance(parent, ast.keyword):
        keyword = parent.arg
        candidates = [a for a in list(args.args) + list(args.kwonlyargs) if a.arg == keyword]
        if not candidates:
            return None
        param, index = candidates[0], call.keywords.index(parent)
    else:
        keyword = None
        index = next((i for i, a in enumerate(call.args) if a is argument), None)
        if index is None or index >= len(positional):
            return None
        param = positional[index]
    if _has_default(args, param):
        return None
    return _TaskUse(call, remote, param.arg, keyword, index, argument, sliced)


def _has_default(args: ast.arguments, param: ast.arg) -> bool:
    positional = list(args.posonlyargs) + list(args.args)
    if param in positional:
        return positional.index(param) >= len(positional) - len(args.defaults)
    index = args.kwonlyargs.index(param)
    return args.kw_defaults[index] is not None


def _is_put_of(call: ast.Call, argument: ast.AST, names, sites) -> bool:
    site = sites.get(id(call))
    return site is not None and names.call_is_ray(site, "put") and call.args == [argument] and not call.keywords


# -- per-task loading ---------------------------------------------------------------------------------


def _per_task_load(context, loader: ast.Call, scope: Scope, statement: ast.Assign, uses: _Uses) -> Optional[Fix]:
    """`values = np.load(p)` + `task.remote(values[a:b])` -> `task_from_path.remote(p, a, b)`, where the new task
    does `np.load(path, mmap_mode="r")[start:stop]` itself."""
    load_spelling = _per_task_decision(context, loader, scope)
    if load_spelling is None:
        return None
    path = loader.args[0]
    files = context.cst
    module = files.module
    lines = context.lines
    load_statement = files.statement_for(statement, lines)
    if not isinstance(load_statement, cst.SimpleStatementLine) or len(load_statement.body) != 1:
        return None
    taken = _taken_around(context, scope)
    rewrite = Rewrite()
    name = statement.targets[0].id

    hoist, absolute = _path_hoisting(context, path, scope, uses)
    if not hoist:
        path_code = files.code(files.node_for(path, lines, cst.BaseExpression))
        hoisted = None
    else:
        path_code = fresh_name(f"{name}_path", taken)
        value = files.code(files.node_for(path, lines, cst.BaseExpression))
        if not absolute:
            os_name = module_name_visible("os", scope)
            if os_name is None:
                os_name = add_import(context, "os", rewrite, taken)
                if os_name is None:
                    return None
            value = f"{os_name}.path.abspath({value})"
        hoisted = parse_statement(f"{path_code} = {value}{module.default_newline}", module)

    if uses.metadata:
        # the driver still asks for the shape: map the file instead of reading it
        call = files.node_for(loader, lines, cst.Call)
        kept = call.with_changes(args=[cst.Arg(parse_expression(path_code, module), comma=cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" "))), _mmap_arg()])
        rewrite.replace(call, kept)
        if hoisted is not None:
            rewrite.insert_above(load_statement, hoisted)
    elif hoisted is not None:
        rewrite.replace(load_statement, hoisted.with_changes(leading_lines=load_statement.leading_lines))
    else:
        rewrite.remove(load_statement)

    made: Dict[Tuple[int, str, bool], Tuple[str, Tuple[str, ...]]] = {}
    for use in uses.tasks:
        key = (id(use.remote.node), use.param, use.sliced)
        if key not in made:
            calls = [u.call for u in uses.tasks if (id(u.remote.node), u.param, u.sliced) == key]
            created = _task_copy(context, use, load_spelling, rewrite, taken, calls)
            if created is None:
                return None
            made[key] = created
        task_name, params = made[key]
        if not _rewrite_call(context, use, task_name, params, path_code, rewrite):
            return None

    title = _per_task_title([task for task, _ in made.values()], uses)
    return build_fix(context.cst, rewrite.apply(module), UNSAFE, title)


def _plan_per_task_load(context, loader: ast.Call, scope: Scope, statement: ast.Assign, uses: _Uses):
    """`_per_task_load` without libcst, taking the names it takes in the same order."""
    load_spelling = _per_task_decision(context, loader, scope)
    if load_spelling is None:
        return None
    if too_deep_for_cst(context) or not alone_on_its_lines(context, statement):
        return BUILD
    taken = _taken_around(context, scope)
    hoist, absolute = _path_hoisting(context, loader.args[0], scope, uses)
    if hoist:
        fresh_name(f"{statement.targets[0].id}_path", taken)
        if not absolute and module_name_visible("os", scope) is None:
            if not can_add_import(context.tree, "os", taken):
                return None
            taken.add("os")
    made: Dict[Tuple[int, str, bool], str] = {}
    for use in uses.tasks:
        key = (id(use.remote.node), use.param, use.sliced)
        if key not in made:
            calls = [u.call for u in uses.tasks if (id(u.remote.node), u.param, u.sliced) == key]
            task_name = _planned_task_name(context, use, load_spelling, taken, calls)
            if task_name is None or task_name is BUILD:
                return task_name
            made[key] = task_name
    return Fix(UNSAFE, _per_task_title(list(made.values()), uses), ())


def _per_task_decision(context, loader: ast.Call, scope: Scope) -> Optional[str]:
    """How the module spells the loader, when the load can move into the tasks, else None."""
    if len(loader.args) != 1 or loader.keywords or isinstance(loader.args[0], ast.Starred):
        return None
    path = loader.args[0]
    if isinstance(path, ast.Constant) and (not isinstance(path.value, str) or path.value.startswith(REMOTE_SCHEMES)):
        return None
    if any(isinstance(s, ast.Constant) and isinstance(s.value, str) and s.value.endswith(".npz")
           for s in ast.walk(_traced(path, scope))):
        return None  # an .npz archive cannot be memory-mapped or sliced
    if not _path_like(context, path, scope):
        return None
    return _visible_at_module(context, loader.func, scope)


def _path_hoisting(context, path: ast.AST, scope: Scope, uses: _Uses) -> Tuple[bool, bool]:
    """(whether the path gets a name of its own, whether it is absolute by construction): the tasks can
    use it as written only when it is absolute and every call site sees the same value."""
    absolute = _known_absolute(context.names, path, scope)
    return not (absolute and _stable_everywhere(path, scope, uses, call_sites_by_node(context))), absolute


def _per_task_title(task_names: List[str], uses: _Uses) -> str:
    made_names = [f"`{task}`" for task in task_names]
    what = "the file path and slice bounds" if any(use.sliced for use in uses.tasks) else "the file path"
    if len(made_names) == 1:
        return f"Pass {what} to {made_names[0]}, which loads its own part memory-mapped"
    return f"Pass {what} to {', '.join(made_names[:-1])} and {made_names[-1]}, which load their own part memory-mapped"


def _planned_task_name(context, use: _TaskUse, load_spelling: str, taken: Set[str], calls: List[ast.Call]):
    """The name `_task_copy` gives the task that loads its own part (taking it in `taken`), None when it
    makes none, BUILD when only libcst can tell."""
    function: ast.FunctionDef = use.remote.node
    if not (starts_line(context, function) and starts_line(context, function.body[0])):
        return BUILD  # libcst may see no function with an indented body there
    block = block_holding(context.tree, function)
    if block is None:
        return BUILD
    if _hides_loader(function, load_spelling):
        return None
    if sole_callers(context.tree, function, calls):
        return function.name
    return generated_name(context, f"{function.name}_from_path", block, taken)


def _hides_loader(function: ast.FunctionDef, load_spelling: str) -> bool:
    """The task's body has a name of its own that hides the module's numpy."""
    return load_spelling.split(".")[0] in taken_names(function)


def _task_copy(context, use: _TaskUse, load_spelling: str, rewrite: Rewrite, taken: Set[str],
               calls: List[ast.Call]):
    """A copy of the task taking (path, start, stop) instead of the data, loading its slice first thing; the
    task itself rewritten so when `calls` are all its uses (a copy would leave it behind, unused)."""
    files = context.cst
    module = files.module
    function: ast.FunctionDef = use.remote.node
    definition = files.statement_for(function, context.lines)
    if not isinstance(definition, cst.FunctionDef) or not isinstance(definition.body, cst.IndentedBlock):
        return None
    block = block_of(module, definition)
    if block is None:
        return None
    if _hides_loader(function, load_spelling):
        return None
    local = taken_names(function)
    bases = ("path", "start", "stop") if use.sliced else ("path",)
    if local & set(bases):
        bases = tuple(f"{use.param}_{b}" for b in bases)
    params = tuple(fresh_name(b, set(local)) for b in bases)
    newline = module.default_newline
    loaded = f'{load_spelling}({params[0]}, mmap_mode="r")'
    if use.sliced:
        loaded += f"[{params[1]}:{params[2]}]"
    load_line = parse_statement(f"{use.param} = {loaded}{newline}", module)
    body = list(definition.body.body)
    position = 1 if body and _is_docstring(body[0]) else 0
    new_body = definition.body.with_changes(body=body[:position] + [load_line] + body[position:])
    new_params = _replace_param(definition.params, use.param, params)
    if new_params is None:
        return None

    if sole_callers(context.tree, function, calls):
        rewrite.replace(definition, definition.with_changes(params=new_params, body=new_body))
        return function.name, params

    def make(name: str) -> cst.FunctionDef:
        return definition.with_changes(name=cst.Name(name), params=new_params, body=new_body,
                                       leading_lines=blank_lines(2))

    task_name, statement = generated(f"{function.name}_from_path", make, block, taken, module)
    if statement is not None:
        rewrite.insert(definition, [statement], after=True)
    return task_name, params


def _taken_around(context, scope: Scope) -> Set[str]:
    """Names a generated module-level definition, or a new binding in `scope`, must avoid: a collision is
    real only in the module's own names and the names `scope` binds or reads, not in other functions."""
    taken = scope_taken_names(context.tree, context.tree)
    while scope.parent is not None and scope.kind != "function":
        scope = scope.parent  # a comprehension or a lambda: its function's names count
    return taken | scope_taken_names(context.tree, scope.node) if scope.kind == "function" else taken


def _replace_param(parameters: cst.Parameters, name: str, new: Tuple[str, ...]) -> Optional[cst.Parameters]:
    for group in ("posonly_params", "params", "kwonly_params"):
        params = list(getattr(parameters, group))
        for index, param in enumerate(params):
            if param.name.value != name:
                continue
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            fresh = [cst.Param(cst.Name(n), comma=comma) for n in new[:-1]]
            fresh.append(cst.Param(cst.Name(new[-1]), comma=param.comma))
            return parameters.with_changes(**{group: params[:index] + fresh + params[index + 1:]})
    return None


def _rewrite_call(context, use: _TaskUse, task_name: str, params: Tuple[str, ...], path_code: str,
                  rewrite: Rewrite) -> bool:
    files = context.cst
    module = files.module
    lines = context.lines
    call = files.node_for(use.call, lines, cst.Call)
    if call is None or not isinstance(call.func, cst.Attribute):
        return False
    callee = rename_callee(call.func.value, task_name)
    if callee is None:
        return False
    values = [parse_expression(path_code, module)]
    if use.sliced:
        bounds = use.argument.slice
        for bound in (bounds.lower, bounds.upper):
            if bound is None:
                values.append(cst.Name("None"))
                continue
            node = files.node_for(bound, lines, cst.BaseExpression)
            if node is None:
                return False
            values.append(node)
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = [a for a in call.args if not (a.keyword is None and not a.star)]
    if use.keyword is None:
        old = positional[use.index]
        replaced = positional
    else:
        old = next(a for a in keywords if a.keyword is not None and a.keyword.value == use.keyword)
        replaced = keywords
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    fresh = []
    for position, (param, value) in enumerate(zip(params, values)):
        comma = old.comma if position == len(values) - 1 else space
        if use.keyword is None:
            fresh.append(cst.Arg(value, comma=comma))
        else:
            fresh.append(cst.Arg(value, keyword=cst.Name(param), equal=old.equal, comma=comma))
    at = replaced.index(old)
    replaced = replaced[:at] + fresh + replaced[at + 1:]
    args = replaced + keywords if use.keyword is None else positional + replaced
    rewrite.replace(call, call.with_changes(func=call.func.with_changes(value=callee), args=args))
    return True


def _mmap_arg() -> cst.Arg:
    return cst.Arg(cst.SimpleString('"r"'), keyword=cst.Name("mmap_mode"),
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace("")))


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


# -- the loader task ----------------------------------------------------------------------------------


def _loader_task(context, loader: ast.Call, scope: Scope, qualname: Optional[str], put: ast.Call,
                 statement: Optional[ast.Assign], family) -> Optional[Fix]:
    """`ref = ray.put(LOAD(args))` -> `ref = load_task.remote(args)`, with a generated `@ray.remote` task
    doing the same call. Safe only for remote URIs: a local path may exist only on the driver's machine."""
    decided = _loader_task_decision(context, loader, scope, qualname, put, statement, family)
    if decided is None:
        return None
    spelling, remote_spelling, path = decided
    files = context.cst
    module = files.module
    lines = context.lines
    top = files.top_level(put)
    if top is None:
        return None
    taken = _taken_around(context, scope)
    rewrite = Rewrite()
    newline, indent = module.default_newline, module.default_indent

    def make(name: str) -> cst.BaseStatement:
        code = (f"@{remote_spelling}(num_cpus=1){newline}def {name}(*args, **kwargs):{newline}"
                f"{indent}return {spelling}(*args, **kwargs){newline}")
        return parse_statement(code, module).with_changes(leading_lines=blank_lines(2))

    task_name, definition = generated(_loader_task_base(spelling), make, module.body, taken, module)
    if definition is not None:
        # in cells (a notebook, `# %%`), the definition opens the cell that uses it
        cells = CELL_MARKER.search(context.source) is not None
        neighbour = None if cells else _last_definition_before(context, files, top, [loader.func, _ray_root(context)])
        if neighbour is not None:
            rewrite.insert(neighbour, [definition], after=True)
        elif cells:
            rewrite.insert(top, [definition], after=False)
        else:
            rewrite.insert(top, [definition], after=False)
            rewrite.replace(top, lambda updated: updated.with_changes(leading_lines=_gap(updated.leading_lines, 2)))

    load_call = files.node_for(loader, lines, cst.Call)
    put_call = files.node_for(put, lines, cst.Call)
    if load_call is None or put_call is None:
        return None
    args = list(load_call.args)
    if _relative_literal(path):
        os_name = module_name_visible("os", scope) or add_import(context, "os", rewrite, taken)
        if os_name is None:
            return None
        args[0] = args[0].with_changes(value=parse_expression(f"{os_name}.path.abspath({files.code(args[0].value)})",
                                                              module))
    submission = load_call.with_changes(func=parse_expression(f"{task_name}.remote", module), args=args)
    rewrite.replace(put_call, put_call.with_changes(func=submission.func, args=submission.args,
                                                    whitespace_before_args=submission.whitespace_before_args))
    if statement is not None:
        load_statement = files.statement_for(statement, lines)
        if not isinstance(load_statement, cst.SimpleStatementLine) or len(load_statement.body) != 1:
            return None
        rewrite.remove(load_statement)

    applicability, title = _loader_task_verdict(context, loader, put, statement, path, files.code(load_call.func),
                                                task_name)
    return build_fix(context.cst, rewrite.apply(module), applicability, title)


def _plan_loader_task(context, loader: ast.Call, scope: Scope, qualname: Optional[str], put: ast.Call,
                      statement: Optional[ast.Assign], family):
    """`_loader_task` without libcst, taking the names it takes in the same order."""
    decided = _loader_task_decision(context, loader, scope, qualname, put, statement, family)
    if decided is None:
        return None
    spelling, _, path = decided
    if too_deep_for_cst(context) or (statement is not None and not alone_on_its_lines(context, statement)):
        return BUILD  # libcst may see no statement line of its own to remove
    taken = _taken_around(context, scope)
    task_name = generated_name(context, _loader_task_base(spelling), context.tree.body, taken)
    if task_name is BUILD:
        return BUILD
    if _relative_literal(path) and module_name_visible("os", scope) is None and not can_add_import(
            context.tree, "os", taken):
        return None
    what = code_of(context, loader.func, loader)
    if what is None:
        return BUILD
    applicability, title = _loader_task_verdict(context, loader, put, statement, path, what, task_name)
    return Fix(applicability, title, ())


def _loader_task_decision(context, loader: ast.Call, scope: Scope, qualname: Optional[str], put: ast.Call,
                          statement: Optional[ast.Assign], family):
    """(the loader's spelling, `ray.remote`'s spelling, the path argument or None) when a task can do the
    load, else None: the `ast`-level half of the fix, shared by the plan and the build."""
    if qualname is None or not (qualname in _PATH_LOADERS or qualname.startswith(_PATH_LOADER_PREFIXES)):
        return None
    spelling = _visible_at_module(context, loader.func, scope)
    remote_spelling = _ray_remote_spelling(context)
    if spelling is None or remote_spelling is None:
        return None
    if statement is not None and not _same_block_once(put, statement, family):
        return None
    if statement is not None and not all(_single_binding(n, scope) for n in ast.walk(loader)
                                         if isinstance(n, ast.Name) and n is not loader.func):
        return None
    path = loader.args[0] if loader.args and not isinstance(loader.args[0], ast.Starred) else None
    if path is not None and not _path_like(context, path, scope):
        return None  # an open file or buffer cannot be sent to a task
    return spelling, remote_spelling, path


def _loader_task_base(spelling: str) -> str:
    return spelling.replace(".", "_").strip("_") + "_task"


def _loader_task_verdict(context, loader: ast.Call, put: ast.Call, statement: Optional[ast.Assign],
                         path: Optional[ast.AST], what: str, task_name: str) -> Tuple[str, str]:
    """(applicability, title) of the loader task fix; `what` is the loader as the code spells it."""
    # the load's error now surfaces where the ref is fetched: a handler around the load would miss it
    guarded = in_handler(parents(context.tree), statement if statement is not None else put)
    if _remote_literal(path) and all(_is_literal(a) for a in _arguments(loader)) and not guarded:
        return SAFE, (f"Load with `{what}` in a task (`{task_name}`), not on the driver; "
                      f"a failed load then surfaces at `ray.get`")
    return UNSAFE, (f"Load with `{what}` in a task (`{task_name}`), not on the driver "
                    f"(the path must be readable where the task runs)")


def _last_definition_before(context, files, top: cst.CSTNode, needed) -> Optional[cst.CSTNode]:
    """The last module-level def or class before `top` and after the imports that `needed` names come from:
    the generated task goes with the other definitions."""
    after_imports = 0
    for expr in needed:
        root = expr
        while isinstance(root, ast.Attribute):
            root = root.value
        for binding in context.walk.module_scope.bindings.get(getattr(root, "id", ""), ()):
            after_imports = max(after_imports, binding.node.lineno)
    found = None
    for statement in context.tree.body:
        if files.top_level(statement) is top:
            break
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.lineno > after_imports:
            found = files.top_level(statement)
    return found


def _ray_root(context) -> Optional[ast.AST]:
    spelling = _ray_remote_spelling(context)
    return ast.Name(id=spelling.split(".")[0]) if spelling else None


def _same_block_once(put: ast.Call, statement: ast.stmt, family) -> bool:
    """The put runs exactly once after the load: its statement is in the load's block, with no loop,
    condition, lambda or comprehension around the put inside that statement."""
    current = put
    while True:
        parent = family.get(id(current))
        if parent is None or isinstance(parent, (ast.Lambda, ast.IfExp, ast.BoolOp, ast.ListComp, ast.SetComp,
                                                 ast.DictComp, ast.GeneratorExp)):
            return False
        if isinstance(parent, ast.stmt):
            if not isinstance(parent, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return, ast.AugAssign)):
                return False
            holder = family.get(id(statement))
            return any(isinstance(block, list) and statement in block and parent in block
                       for block in (getattr(holder, f, None) for f in ("body", "orelse", "finalbody")))
        current = parent


def _single_binding(name: ast.Name, scope: Scope) -> bool:
    bindings = scope.lookup(name.id)
    return bindings is None or len(bindings) == 1


def _arguments(call: ast.Call):
    return list(call.args) + [k.value for k in call.keywords]


def _is_literal(expr: ast.AST) -> bool:
    try:
        ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _remote_literal(expr: Optional[ast.AST]) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str) and expr.value.startswith(REMOTE_SCHEMES)


def _relative_literal(expr: Optional[ast.AST]) -> bool:
    return (
        isinstance(expr, ast.Constant)
        and isinstance(expr.value, str)
        and "://" not in expr.value
        and not expr.value.startswith(("/", "~"))
    )


def _gap(lines, count: int):
    """Leading lines with at least `count` blank lines before any comment (PEP 8 spacing around a def)."""
    lines = list(lines)
    blank = 0
    while blank < len(lines) and lines[blank].comment is None:
        blank += 1
    return blank_lines(max(0, count - blank)) + lines


# -- names and paths ----------------------------------------------------------------------------------


def _visible_at_module(context, func: ast.AST, scope: Scope) -> Optional[str]:
    """The source spelling of `np.load`-like `func` when it means the same at module level as where it is called."""
    chain = []
    node = func
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    here = scope.lookup(node.id)
    there = context.walk.module_scope.lookup(node.id)
    if not here or here is not there or any(b.kind != "import" for b in here):
        return None
    return ".".join([node.id] + list(reversed(chain)))


def _ray_remote_spelling(context) -> Optional[str]:
    """How this module spells `ray.remote` at module level (`ray.remote`, `r.remote`, `remote`); once per
    file, as every fix asks."""
    if not hasattr(context, "_ray_remote_spelling"):
        context._ray_remote_spelling = _find_ray_remote_spelling(context)
    return context._ray_remote_spelling


def _find_ray_remote_spelling(context) -> Optional[str]:
    module_scope = context.walk.module_scope
    for name, bindings in sorted(module_scope.bindings.items()):
        if len(bindings) == 1 and bindings[0].kind == "import":
            if bindings[0].qualname == "ray" and isinstance(bindings[0].node, ast.Import):
                return f"{name}.remote"
    for name, bindings in sorted(module_scope.bindings.items()):
        if len(bindings) == 1 and bindings[0].kind == "import" and bindings[0].qualname == "ray.remote":
            return name
    return None


def _traced(expr: ast.AST, scope: Scope) -> ast.AST:
    """A name's single assigned value, else the expression itself."""
    if isinstance(expr, ast.Name):
        bindings = scope.lookup(expr.id) or []
        if len(bindings) == 1 and bindings[0].kind == "assign" and not bindings[0].path:
            return bindings[0].value
    return expr


def _known_absolute(names, expr: ast.AST, scope: Scope, depth: int = 0) -> bool:
    """True when the path is absolute by construction (`"/data/x.npy"`, `os.path.abspath(...)`, a join onto one)."""
    if depth > 8:
        return False
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str) and expr.value.startswith("/")
    if isinstance(expr, ast.Name):
        traced = _traced(expr, scope)
        return traced is not expr and _known_absolute(names, traced, scope, depth + 1)
    if isinstance(expr, ast.JoinedStr):
        return bool(expr.values) and _known_absolute(names, expr.values[0], scope, depth + 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Div)):
        return _known_absolute(names, expr.left, scope, depth + 1)
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in ("resolve", "absolute") and not expr.args:
            return True
        qual = names.qualname(func, scope)
        if qual in _ABSOLUTE_CALLS:
            return True
        if qual == "os.path.join":
            return any(_known_absolute(names, a, scope, depth + 1) for a in expr.args)
        if qual in _PATH_KEEPING_CALLS and len(expr.args) == 1:
            return _known_absolute(names, expr.args[0], scope, depth + 1)
    return False


def _stable_everywhere(path: ast.AST, scope: Scope, uses: _Uses, sites) -> bool:
    """A string literal, or a name bound once that every task call site sees as the same binding."""
    if isinstance(path, ast.Constant):
        return True
    if not isinstance(path, ast.Name):
        return False
    bindings = scope.lookup(path.id)
    if not bindings or len(bindings) != 1:
        return False
    for use in uses.tasks:
        site = sites.get(id(use.call))
        if site is None or site.scope.lookup(path.id) is not bindings:
            return False
    return True


def _path_like(context, path: ast.AST, scope: Scope) -> bool:
    """A path or URI rather than an open file or an in-memory buffer, which cannot be sent to a task."""
    if isinstance(path, ast.Name) and any(b.kind == "with" for b in scope.lookup(path.id) or []):
        return False
    traced = _traced(path, scope)
    if not isinstance(traced, ast.Call):
        return True
    func = traced.func
    if isinstance(func, ast.Attribute) and func.attr in _PATH_METHODS:
        return True
    qual = context.names.qualname(func, scope) or ""
    return qual.startswith(("os.path.", "pathlib.")) or qual in ("builtins.str", "os.fspath", "os.getenv")
