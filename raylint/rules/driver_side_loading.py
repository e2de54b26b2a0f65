from __future__ import annotations

import ast
import re
from typing import Dict, Iterator, List, Optional, Set

from raylint.semantics.analysis import call_arguments, CallSite, Scope
from raylint.fixers.driver_side_loading import load_in_tasks, plan_load_in_tasks
from raylint.rules.base import LazyFix, Option, Rule

_CONFIG_NAME = re.compile(r"(^|_)(config|cfg|conf|settings|params|hparams|hyperparams|options)($|_)", re.I)
_MAX_ALIASES = 8
# Ray Data constructors from a local object: the object is in the driver's memory first.
_FROM_LOCAL = ("data.from_pandas", "data.from_numpy", "data.from_arrow")


class DriverSideLoading(Rule):
    """
    ## What it does
    Checks for a dataset loaded in driver context (module level, `if __name__ == "__main__":`, or any
    function that is not a task or actor method) whose result reaches `ray.put(...)`, a task argument or
    an actor constructor argument, directly or through plain names. Loaders: pandas and polars
    `read_*`, `np.load/loadtxt/genfromtxt/fromfile`, `torch.load`, `pickle/joblib/dill.load`, pyarrow
    readers, `open(...).read()/readlines()`, `fh.read()` of a `with open(...)` handle and
    `Path.read_bytes/read_text`, image readers (`PIL.Image.open`, `cv2.imread`, `imageio.imread`,
    `skimage.io.imread`), plus any `extra-loaders`. A frame or array loaded on the driver and handed to
    `ray.data.from_pandas`/`from_numpy`/`from_arrow` counts too. A table read once, `ray.put` once
    outside any loop and its ref handed to many tasks (a submission in a loop, or several sites) is the
    recommended broadcast ("store once, reference everywhere") and stays quiet.

    ## Why is this bad?
    Everything passes through one process and one node: the driver's heap must hold the whole dataset,
    every reader pulls it from the driver's node, and with Ray Client it also crosses the client link.
    Loading inside the tasks (pass paths, and slice bounds) spreads the I/O and keeps the driver small.
    Measured on these machines with a 400 MiB `.npy`, tasks that load their own slices ran 1.5x faster
    on one node and 2.1x on a local multi-node cluster.

    The rule stays quiet on loads inside tasks and actors, `ray.data.read_*`, config-sized files
    (`.json`/`.yaml`/`.toml` paths, names like `config` or `params`), values derived from the loaded
    object (a manifest's path column, `len(df)`), and data used only on the driver.

    ## Example
    ```python
    data = np.load("features.npy")
    refs = [score.remote(data[i:i + 1000]) for i in range(0, len(data), 1000)]
    ```

    ## Use instead
    ```python
    @ray.remote
    def score_slice(path, start, stop):
        return score_rows(np.load(path, mmap_mode="r")[start:stop])

    refs = [score_slice.remote("features.npy", i, i + 1000) for i in range(0, N, 1000)]
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    When `data = np.load(path)` only goes to tasks of this module, whole or as plain slices
    (`data[a:b]`), the tasks get the path and slice bounds instead, and each task loads its own part
    with `np.load(path, mmap_mode="r")[start:stop]` (the task is rewritten in place when these calls are
    all its uses the analysis can see, else a copy `score_from_path` does it); the
    driver keeps a memory-mapped load only if it still reads metadata (`len(data)`, `data.shape`).
    This is always **unsafe**: it changes what is read, and where. The file must exist on every node
    that runs the tasks (a relative path is made absolute on the driver, since workers do not share
    its working directory), must not change after the driver's original load, and the tasks receive
    read-only memory-mapped arrays.

    When the loaded value only goes to one `ray.put`, the load moves into a generated loader task
    whose ref replaces the put (`ref = pd_read_parquet_task.remote("s3://...")`). This is **safe** when
    the path is a remote URI literal (`s3://`, `gs://`, `hdfs://`, `http(s)://`) and the other
    arguments are literals (a failed load then surfaces at `ray.get`) and no `try` or `with` holds the
    load (its handler would no longer see the error), **unsafe** otherwise and for local paths.
    Measured here, a loader task gains little for a local file; passing paths to the tasks is what pays.

    No fix when the driver also uses the data otherwise (it might change it before the tasks read it),
    hands it to an actor, passes two slices of it to one call or slices it with a step, or loads it
    with anything but `np.load` for tasks (pandas, pyarrow, pickle handles): a per-task reader for
    those is not clearly the same.

    ## Options
    - `extra-loaders` (default `[]`): dotted names of your own loading functions, e.g.
      `["mypkg.io.load_table"]`.

    ## References
    - [Anti-pattern: Closure capturing large objects harms performance](https://docs.ray.io/en/latest/ray-core/patterns/closure-capture-large-objects.html)
    - [Anti-pattern: Passing the same large argument by value repeatedly harms performance](https://docs.ray.io/en/latest/ray-core/patterns/pass-large-arg-by-value.html)
    - [Ray Data: loading data](https://docs.ray.io/en/latest/data/loading-data.html)
    """

    code = "RAY005"
    name = "driver-side-loading"
    summary = "The driver loads a dataset, then ships it to tasks"
    fix_availability = "Sometimes"
    options = {"extra-loaders": Option("extra-loaders", [], "Dotted names of project-specific loading functions")}

    def run(self) -> None:
        self._task_bodies = self._remote_bodies()
        self._passing: Optional[Dict[str, List[CallSite]]] = None
        reported: Set[int] = set()
        names = self.analysis.names
        # the sinks in source-walk order (the first one to ship a loader's result reports it)
        candidates = {id(site) for site in names.ray_calls("put", *_FROM_LOCAL)}
        candidates.update(id(site) for site, _ in names.submissions())
        for site in self.analysis.walk.calls:
            if id(site) not in candidates:
                continue
            sink = self._sink(site)
            if sink is None:
                continue
            if sink == "`ray.put`" and self._broadcast(site):
                continue
            for argument in call_arguments(site.node):
                for loader, scope in self._loaded_values(argument, site.scope):
                    if id(loader) in reported or not self._in_driver(scope):
                        continue
                    if self.analysis.loaders.reads_config(loader, scope):
                        continue
                    reported.add(id(loader))
                    what = self.analysis.loaders.loader_name(loader, scope)
                    if sink.startswith("`ray.data."):
                        self.report(
                            loader,
                            f"The driver loads data with `{what}` and ships it to {sink}: every byte passes "
                            f"through the driver; read it with a `ray.data.read_*` reader instead",
                        )
                        continue
                    self.report(
                        loader,
                        f"The driver loads data with `{what}` and ships it to {sink}: every byte passes through "
                        f"the driver; pass the path and load inside the tasks",
                        fix=LazyFix(
                            build=lambda loader=loader, scope=scope: load_in_tasks(self.analysis, loader, scope),
                            plan=lambda loader=loader, scope=scope: plan_load_in_tasks(self.analysis, loader, scope),
                        ),
                    )

    def _sink(self, site: CallSite) -> Optional[str]:
        names = self.analysis.names
        if names.call_is_ray(site, "put"):
            return "`ray.put`"
        if names.call_is_ray(site, *_FROM_LOCAL):
            return f"`ray.{names.qualname(site.node.func, site.scope)[4:]}`, which builds the dataset from the driver's copy"
        target = names.site_submission(site)
        if target is not None:
            remote, method = target[0], target[1]
            if remote is not None and remote.is_actor and method is None:
                return "an actor constructor"
            return "a task" if method is None else "an actor method"
        return None

    def _broadcast(self, put: CallSite) -> bool:
        """`table_ref = ray.put(table)` outside any loop, then the ref handed to many tasks (a submission in
        a loop, or several submission sites): "store once, reference everywhere", a broadcast join."""
        if put.loops:
            return False
        statement_targets = [
            b for bindings in put.scope.bindings.values() for b in bindings
            if b.kind == "assign" and b.value is put.node and not b.path
        ]
        if len(statement_targets) != 1:
            return False
        name = statement_targets[0].node.id
        sites = [
            site for site in self._submissions_passing().get(name, ())
            if statement_targets[0] in (site.scope.lookup(name) or ())
        ]
        return len(sites) >= 2 or any(site.loops for site in sites)

    def _submissions_passing(self) -> Dict[str, List[CallSite]]:
        """name -> the submissions passing it as an argument; once per module (a search through every call
        per `ray.put` would make a file with many puts quadratic)."""
        if self._passing is None:
            self._passing = {}
            names = self.analysis.names
            for site, _ in names.submissions():
                for passed in {a.id for a in call_arguments(site.node) if isinstance(a, ast.Name)}:
                    self._passing.setdefault(passed, []).append(site)
        return self._passing

    def _loaded_values(self, argument: ast.AST, scope: Scope) -> Iterator:
        """The loader calls whose result `argument` is: the call itself, or a plain name (or a slice of
        one) bound to it, possibly through aliases (`data = df`)."""
        loaders = self.analysis.loaders
        if isinstance(argument, ast.Subscript) and isinstance(argument.slice, (ast.Slice, ast.Tuple)):
            if isinstance(argument.slice, ast.Slice) or any(isinstance(e, ast.Slice) for e in argument.slice.elts):
                argument = argument.value
        for _ in range(_MAX_ALIASES):
            if isinstance(argument, ast.Call):
                if loaders.loader_name(argument, scope) is not None:
                    yield argument, scope
                return
            if not isinstance(argument, ast.Name):
                return
            bindings = scope.lookup(argument.id) or []
            if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].path:
                return
            if _CONFIG_NAME.search(argument.id):
                return
            argument, scope = bindings[0].value, bindings[0].scope

    def _remote_bodies(self) -> Set[int]:
        """Ids of the def/class nodes whose bodies run inside Ray workers."""
        bodies = set()
        for remote in self.analysis.names.remote_definitions():
            node = remote.node
            if node is None:
                continue
            bodies.add(id(node))
            if isinstance(node, ast.ClassDef):
                bodies.update(id(item) for item in node.body)
        return bodies

    def _in_driver(self, scope: Optional[Scope]) -> bool:
        while scope is not None:
            if id(scope.node) in self._task_bodies:
                return False
            scope = scope.parent
        return True


RULE = DriverSideLoading
