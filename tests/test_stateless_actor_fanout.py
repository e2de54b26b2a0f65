"""RAY113: which actor methods count as stateless, where handles come from, the trip-count option and
the preview gate. Each quiet case is paired with the same code minus the one thing that makes it quiet."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from raylint.api import check_files
from raylint.cli import main

TEMPLATE = """\
import os

import ray

CACHE = {{}}
MODEL = None


def load():
    global MODEL
    MODEL = len


@ray.remote
class Worker:
    def __init__(self):
        self.model = len
        self.calls = 0

{methods}


def run(items):
    worker = Worker.remote()
    return [worker.work.remote(x) for x in items]
"""


def findings(tmp_path, source, options=None, name="module.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    diagnostics = check_files([path], select=["RAY113"], rule_options={"RAY113": options} if options else None)
    return [(d.location.row, d.message) for d in diagnostics if d.code == "RAY113"]


def rows(tmp_path, source, **kwargs):
    return [row for row, _ in findings(tmp_path, source, **kwargs)]


def actor(tmp_path, methods):
    """Rows reported for the template with these methods, and the row of its fan-out."""
    source = TEMPLATE.format(methods=textwrap.indent(textwrap.dedent(methods), "    "))
    fanout = source.splitlines().index("    return [worker.work.remote(x) for x in items]") + 1
    return rows(tmp_path, source), fanout


STATEFUL = {
    "reads an attribute": "def work(self, x):\n    return self.model(x)\n",
    "writes an attribute": "def work(self, x):\n    self.calls += 1\n    return x\n",
    "reads state through a helper": "def work(self, x):\n    return self._go(x)\n\ndef _go(self, x):\n    return self.model(x)\n",
    "helper two levels down": "def work(self, x):\n    return self._a(x)\n\ndef _a(self, x):\n    return self._b(x)\n\n"
                              "def _b(self, x):\n    return self.calls + x\n",
    "helpers in a cycle, one reading state": "def work(self, x):\n    return self._a(x)\n\n"
                                              "def _a(self, x):\n    return self.work(x - 1) if x else self._c()\n\n"
                                              "def _c(self):\n    return self.model\n",
    "helper not in the class body": "def work(self, x):\n    return self.inherited(x)\n",
    "self passed on": "def work(self, x):\n    return print(self, x)\n",
    "super()": "def work(self, x):\n    return super().work(x)\n",
    "global statement": "def work(self, x):\n    global MODEL\n    MODEL = x\n",
    "reads a global another function loads": "def work(self, x):\n    return MODEL(x)\n",
    "mutates a module container": "def work(self, x):\n    CACHE[x] = x\n    return x\n",
    "appends to a module container": "def work(self, x):\n    CACHE.setdefault(x, []).append(x)\n    return x\n",
    "process identity": "def work(self, x):\n    return os.getpid(), x\n",
    "runtime context": "def work(self, x):\n    return ray.get_runtime_context().get_actor_id(), x\n",
    "unknown decorator": "@functools_cache\ndef work(self, x):\n    return x\n",
    "appends to a file": "def work(self, x):\n    with open('log.txt', 'a') as f:\n        f.write(str(x))\n",
    "writes a file through pathlib": "def work(self, x):\n    return Path(x).write_text('done')\n",
    "commits to a database": "def work(self, x):\n    conn = connect()\n    conn.execute('insert', (x,))\n",
    "removes a file": "def work(self, x):\n    os.remove(x)\n",
    "open with a computed mode": "def work(self, x, mode):\n    return open(x, mode)\n",
    "a class attribute": "LIMIT = 3\n\ndef work(self, x):\n    return x < self.LIMIT\n",
}
STATELESS = {
    "pure": "def work(self, x):\n    return x * 2\n",
    "stateless helpers": "def work(self, x):\n    return self._a(x)\n\ndef _a(self, x):\n    return self._b(x) + 1\n\n"
                         "@staticmethod\ndef _b(x):\n    return -x\n",
    "recursive helper": "def work(self, x):\n    return self._fact(x)\n\ndef _fact(self, n):\n    return 1 if n < 2 else n * self._fact(n - 1)\n",
    "reads a file": "def work(self, x):\n    with open(x) as f:\n        return f.read().replace('a', 'b')\n",
    "reads a binary file": "def work(self, x):\n    with open(x, mode='rb') as f:\n        return len(f.read())\n",
    "local container": "def work(self, x):\n    seen = {}\n    seen[x] = x\n    out = []\n    out.append(seen)\n    return out\n",
    "ray.method options": "@ray.method(num_returns=1)\ndef work(self, x):\n    return x\n",
    "static method": "@staticmethod\ndef work(x):\n    return x\n",
    "stateless property": "@property\ndef half(self):\n    return 0.5\n\ndef work(self, x):\n    return x * self.half\n",
}


@pytest.mark.parametrize("case", sorted(STATEFUL))
def test_stateful_methods_are_quiet(tmp_path, case):
    found, _fanout = actor(tmp_path, STATEFUL[case])
    assert found == []


@pytest.mark.parametrize("case", sorted(STATELESS))
def test_stateless_methods_are_reported(tmp_path, case):
    found, fanout = actor(tmp_path, STATELESS[case])
    assert found == [fanout]


def test_message_gives_the_count_and_the_cure(tmp_path):
    found = findings(tmp_path, """\
        import ray

        @ray.remote
        class Worker:
            def work(self, x):
                return x

        worker = Worker.remote()
        refs = [worker.work.remote(i) for i in range(1000)]
        """)
    assert len(found) == 1
    row, message = found[0]
    assert row == 9
    assert message.startswith("1,000 calls to `Worker.work` run one after another on one actor")
    assert "`@ray.remote` function" in message and "actor pool" in message


def test_unknown_count_says_one_per_iteration(tmp_path):
    found = findings(tmp_path, """\
        import ray

        @ray.remote
        class Worker:
            def work(self, x):
                return x

        def run(items):
            worker = Worker.remote()
            for item in items:
                worker.work.remote(item)
        """)
    assert [row for row, _ in found] == [11]
    assert "one per iteration" in found[0][1]


SMALL_LOOP = """\
    import ray

    @ray.remote
    class Worker:
        def work(self, x):
            return x

    worker = Worker.remote()
    refs = [worker.work.remote(i) for i in range(3)]
    """


def test_min_calls_option(tmp_path):
    assert rows(tmp_path, SMALL_LOOP) == []
    assert rows(tmp_path, SMALL_LOOP, options={"min-calls": 3}) == [9]
    assert rows(tmp_path, SMALL_LOOP, options={"min-calls": 4}) == []
    assert rows(tmp_path, SMALL_LOOP.replace("range(3)", "range(4)")) == [9]


def test_nested_loops_multiply(tmp_path):
    source = """\
        import ray

        @ray.remote
        class Worker:
            def work(self, x):
                return x

        worker = Worker.remote()
        for i in range(3):
            for j in range(4):
                worker.work.remote(i * j)
        """
    found = findings(tmp_path, source, options={"min-calls": 12})
    assert [row for row, _ in found] == [11]
    assert found[0][1].startswith("12 calls")
    assert rows(tmp_path, source, options={"min-calls": 13}) == []


@pytest.mark.parametrize("decorator,options,expected", [
    ("@ray.remote", "", [12]),
    ("@ray.remote(max_concurrency=1)", "", [12]),
    ("@ray.remote(max_concurrency=4)", "", []),
    ("@ray.remote(max_concurrency=N)", "", []),
    ("@ray.remote(concurrency_groups={'io': 1})", "", []),
    ("@ray.remote", ".options(max_concurrency=2)", []),
    ("@ray.remote", ".options(max_concurrency=1)", [12]),
    ("@ray.remote", ".options(**OPTIONS)", []),
])
def test_concurrency(tmp_path, decorator, options, expected):
    source = f"""\
import ray

N = 4
OPTIONS = {{}}

{decorator}
class Worker:
    def work(self, x):
        return x

worker = Worker{options}.remote()
refs = [worker.work.remote(i) for i in range(100)]
"""
    assert rows(tmp_path, source) == expected


def test_async_actor_is_quiet_even_for_its_sync_methods(tmp_path):
    assert rows(tmp_path, """\
        import ray

        @ray.remote
        class Worker:
            def work(self, x):
                return x

            async def ready(self):
                return True

        worker = Worker.remote()
        refs = [worker.work.remote(i) for i in range(100)]
        """) == []


def test_handle_passed_to_a_function_by_every_caller(tmp_path):
    source = """\
        import ray

        @ray.remote
        class Worker:
            def work(self, x):
                return x

        def submit(handle, items):
            return [handle.work.remote(x) for x in items]

        def run(items):
            submit(Worker.remote(), items)
            {second}
        """
    assert rows(tmp_path, source.replace("{second}", "submit(handle=Worker.remote(), items=items)")) == [9]
    # one caller passes something unknown: the parameter is not known to be this actor
    assert rows(tmp_path, source.replace("{second}", "submit(make_handle(), items)")) == []


def test_handle_given_to_a_coordinating_actor(tmp_path):
    assert rows(tmp_path, """\
        import ray

        @ray.remote
        class Worker:
            def work(self, x):
                return x

        @ray.remote
        class Coordinator:
            def __init__(self, worker):
                self.worker = worker

            def run(self, items):
                return [self.worker.work.remote(x) for x in items]

        coordinator = Coordinator.options(name="c").remote(Worker.remote())
        """) == [14]


def test_handle_from_a_loop_at_the_caller_is_quiet(tmp_path):
    assert rows(tmp_path, """\
        import ray

        @ray.remote
        class Worker:
            def work(self, x):
                return x

        def submit(handle, items):
            return [handle.work.remote(x) for x in items]

        def run(shards):
            workers = [Worker.remote() for _ in shards]
            for worker, shard in zip(workers, shards):
                submit(worker, shard)
        """) == []


def test_import_alias_and_shadowed_ray(tmp_path):
    assert rows(tmp_path, """\
        import ray as r

        @r.remote
        class Worker:
            def work(self, x):
                return x

        worker = Worker.remote()
        refs = [worker.work.remote(i) for i in range(100)]
        """) == [9]
    assert rows(tmp_path, """\
        import ray

        def scene(ray):
            @ray.remote
            class Worker:
                def work(self, x):
                    return x

            worker = Worker.remote()
            return [worker.work.remote(i) for i in range(100)]
        """) == []


PREVIEW_SOURCE = """\
import ray


@ray.remote
class Worker:
    def work(self, x):
        return x


worker = Worker.remote()
refs = [worker.work.remote(i) for i in range(100)]
"""


def preview_rows(*args):
    result = CliRunner().invoke(main, ["check", "fanout.py", "--no-cache", "--output-format", "json", *args],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return [(d["code"], d["location"]["row"]) for d in json.loads(result.output) if d["code"] == "RAY113"]


def test_preview_gate(project):
    (project / "fanout.py").write_text(PREVIEW_SOURCE)
    assert preview_rows() == []
    assert preview_rows("--select", "RAY113") == []
    assert preview_rows("--preview") == []
    assert preview_rows("--preview", "--select", "RAY113") == [("RAY113", 11)]
    assert preview_rows("--preview", "--select", "RAY113", "--no-cache") == [("RAY113", 11)]


@pytest.mark.parametrize("setup,expected", [
    ("self.ready = True", True),
    ("super().__init__()", True),
    ("os.environ['OMP_NUM_THREADS'] = '1'", False),
    ("sys.path.append('/opt/plugins')", False),
    ("global READY\n        READY = True", False),
])
def test_constructor_setting_up_process_state(tmp_path, setup, expected):
    source = f"""\
import os
import sys

import ray


@ray.remote
class Worker:
    def __init__(self):
        {setup}

    def work(self, x):
        return x


worker = Worker.remote()
refs = [worker.work.remote(i) for i in range(100)]
"""
    assert rows(tmp_path, source) == ([17] if expected else [])


def test_handle_passed_to_a_nested_function(tmp_path):
    assert rows(tmp_path, """\
        import ray

        @ray.remote
        class Worker:
            def work(self, x):
                return x

        def run(items):
            def submit(handle):
                return [handle.work.remote(x) for x in items]

            return submit(Worker.remote())
        """) == [10]


def test_functional_remote_bound_to_a_name(tmp_path):
    assert rows(tmp_path, """\
        import ray

        class Impl:
            def work(self, x):
                return x

        Worker = ray.remote(num_cpus=1)(Impl)
        Other = ray.remote(Impl)
        worker, other = Worker.remote(), Other.remote()
        refs = [worker.work.remote(i) for i in range(100)]
        refs += [other.work.remote(i) for i in range(100)]
        """) == [10, 11]


CHAIN = """\
    import ray

    @ray.remote
    class Worker:
        def step(self, state, x):
            return state + x

    def run(items):
        worker = Worker.remote()
        state = 0
        for item in items:
            {body}
        return state
    """


@pytest.mark.parametrize("body,expected", [
    ("state = worker.step.remote(state, item)", []),
    ("ref = worker.step.remote(state, item)\n            state = ref", []),
    ("state = ray.get(worker.step.remote(state, item))", []),
    ("ready = prepare(item)\n            worker.step.remote(ready, item)", [13]),
    ("ref = worker.step.remote(0, item)\n            state = ref", [12]),
])
def test_calls_chained_through_their_results(tmp_path, body, expected):
    assert rows(tmp_path, CHAIN.replace("{body}", body)) == expected


@pytest.mark.parametrize("base_body,expected", [
    ("def work(self, x):\n        return x", [16]),
    ("def work(self, x):\n        return self.scale * x", []),
    ("def work(self, x):\n        return x\n\n    async def ping(self):\n        return True", []),
])
def test_methods_inherited_from_a_base_class_of_the_module(tmp_path, base_body, expected):
    source = f"""\
import ray


class Base:
    {base_body}


@ray.remote
class Worker(Base):
    def helper(self):
        return 1


worker = Worker.remote()
refs = [worker.work.remote(i) for i in range(100)]
"""
    rows_found = rows(tmp_path, source)
    fanout = source.splitlines().index("refs = [worker.work.remote(i) for i in range(100)]") + 1
    assert rows_found == [fanout for _ in expected]
