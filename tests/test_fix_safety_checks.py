"""The checks of docs/fix-safety.md, without Ray: for each trap kind, the fix a finding gets is absent or
unsafe, and the neighbouring right case keeps its safe fix. tests/fix_safety/ runs such programs."""

from __future__ import annotations

import textwrap

import pytest

from raylint.engine import LintOptions, lint_source

HEADER = "import asyncio\nimport numpy as np\nimport ray\n\n\n"


def applicability(code: str, body: str, line_text: str):
    """The applicability of the `code` finding on the line containing `line_text` (None: no fix)."""
    source = HEADER + textwrap.dedent(body)
    result = lint_source(source, "case.py", LintOptions(enabled=frozenset({code})))
    row = next(i for i, line in enumerate(source.splitlines(), 1) if line_text in line)
    found = [d for d in result.diagnostics if d.code == code and d.location.row == row]
    assert found, f"no {code} finding on line {row}: {[(d.code, d.location.row) for d in result.diagnostics]}"
    fix = found[0].fix
    return None if fix is None else fix.applicability


PAIR = """
@ray.remote(num_cpus=1{options})
def pair(i):
    return i, i
"""


@pytest.mark.parametrize("body,expected", [
    (PAIR.format(options=", num_returns=2") + "def f(xs):\n    return [ray.get(pair.remote(i)) for i in xs]\n", None),
    (PAIR.format(options="") + "def f(xs):\n    return [ray.get(pair.options(num_returns=2).remote(i)) for i in xs]\n",
     None),
    (PAIR.format(options=", num_returns=1") + "def f(xs):\n    return [ray.get(pair.remote(i)) for i in xs]\n", "safe"),
    (PAIR.format(options="") + "def f(xs):\n    return [ray.get(pair.remote(i)) for i in xs]\n", "safe"),
    ("def f(refs):\n    return [ray.get(r) for r in refs]\n", "unsafe"),
], ids=["decorator", "options", "num-returns-one", "plain", "unknown-refs"])
def test_ray001_num_returns(body, expected):
    assert applicability("RAY001", body, "ray.get(") == expected


def test_ray001_refs_stored_from_a_several_returns_task_are_not_reported():
    """Each element is a list of refs fetched whole (a map/reduce shuffle): a look-alike, no finding."""
    body = (PAIR.format(options=", num_returns=2")
            + "def f(xs):\n    refs = [pair.remote(i) for i in xs]\n    return [ray.get(r) for r in refs]\n")
    result = lint_source(HEADER + body, "case.py", LintOptions(enabled=frozenset({"RAY001"})))
    assert result.diagnostics == []


METHOD = """
@ray.remote(num_cpus=0)
class Splitter:
    {decorator}
    {kind}def split(self, w):
        return w[:1], w[1:]


def f(words):
    s = Splitter{options}.remote()
    return [ray.get(s.split.remote(w)) for w in words]
"""


@pytest.mark.parametrize("decorator,kind,options,expected", [
    ("@ray.method(num_returns=2)", "async ", "", None),
    ("", "async ", "", "unsafe"),
    ("", "", ".options(max_concurrency=4)", "unsafe"),
], ids=["method-num-returns", "async-actor", "threaded-actor"])
def test_ray001_actor_methods(decorator, kind, options, expected):
    body = METHOD.format(decorator=decorator, kind=kind, options=options)
    assert applicability("RAY001", body, "ray.get(") == expected


def test_ray001_one_synchronous_actor_is_not_reported():
    """The same handle of a one-call-at-a-time actor runs the calls in order anyway (issue 9): no finding."""
    source = HEADER + textwrap.dedent(METHOD.format(decorator="", kind="", options=""))
    result = lint_source(source, "case.py", LintOptions(enabled=frozenset({"RAY001"})))
    assert [d.code for d in result.diagnostics] == []


ACCOUNT = """
@ray.remote(num_cpus=1)
def amount(x):
    return x


@ray.remote(num_cpus=0)
class Account:
    def __init__(self):
        self.total = 0

    def reset(self):
        self.total = 0

    async def deposit(self, x):
{body}
"""


@pytest.mark.parametrize("body,expected", [
    ("cur = self.total\nv = ray.get(amount.remote(x))\nself.total = cur + v", "unsafe"),
    ("v = ray.get(amount.remote(x))\nself.total += v", "unsafe"),
    ("v = ray.get(amount.remote(x))\nreturn v + self.total", "unsafe"),
    ("self.total += 1\nv = ray.get(amount.remote(x))\nreturn v", "safe"),
    ("v = ray.get(amount.remote(x))\nreturn v * 2", "safe"),
], ids=["read-before-write-after", "write-after", "read-after-with-writer", "write-before-only", "no-state"])
def test_ray101_shared_state(body, expected):
    source = ACCOUNT.format(body=textwrap.indent(body, " " * 8))
    assert applicability("RAY101", source, "ray.get(") == expected


PIPELINE = """
@ray.remote(num_cpus=1)
def produce(x):
    return x


@ray.remote(num_cpus=1)
def consume(v):
    return v


def run(x, path):
{body}
"""


@pytest.mark.parametrize("body,expected", [
    ("try:\n    value = ray.get(produce.remote(x))\n    ref = consume.remote(value)\nexcept ValueError:\n"
     "    return None\nreturn ray.get(ref)", "unsafe"),
    ("value = ray.get(produce.remote(x))\nref = consume.remote(value)\nwritten = open(path).read()\n"
     "return written, ray.get(ref)", "unsafe"),
    ("value = ray.get(produce.remote(x))\nref = consume.remote(value)\nprint('submitted')\nreturn ray.get(ref)",
     "unsafe"),
    ("value = ray.get(produce.remote(x))\nreturn consume.remote(value)", "unsafe"),
    ("value = ray.get(produce.remote(x))\nref = consume.remote(value)\nreturn ray.get(ref)", "safe"),
    ("refs = []\nfor y in x:\n    value = ray.get(produce.remote(y))\n    refs.append(consume.remote(value))\n"
     "return ray.get(refs)", "safe"),
], ids=["try", "file-read-after", "print-before-wait", "returns-ref", "waits", "loop-then-waits"])
def test_ray105_barrier_and_handlers(body, expected):
    source = PIPELINE.format(body=textwrap.indent(body, " " * 4))
    assert applicability("RAY105", source, "value = ray.get(") == expected


WORK = """
@ray.remote(num_cpus=1)
def work(data, i):
    return float(data.sum()) + i


def run():
    data = np.ones(1_000_000)
{body}
"""


@pytest.mark.parametrize("body,expected", [
    ("gen = (work.remote(data, i) for i in range(3))\ndata.fill(5)\nreturn ray.get(list(gen))", "unsafe"),
    ("view = data[0:10]\nrefs = []\nfor i in range(3):\n    refs.append(work.remote(data, i))\n    view += 1\n"
     "return ray.get(refs)", "unsafe"),
    ("keeper = Keeper(data)\nrefs = []\nfor i in range(3):\n    refs.append(work.remote(data, i))\n"
     "    keeper.bump()\nreturn ray.get(refs)", "unsafe"),
    ("n = data.shape[0]\nreturn ray.get(list(work.remote(data, i) for i in range(n)))", "safe"),
    ("return ray.get([work.remote(data, i) for i in range(3)])", "safe"),
], ids=["lazy-generator", "view-alias", "held-elsewhere", "eager-generator", "plain"])
def test_ray002_mutation_aliasing_laziness(body, expected):
    source = "class Keeper:\n    def __init__(self, a):\n        self.a = a\n\n\n" + WORK.format(
        body=textwrap.indent(body, " " * 4))
    assert applicability("RAY002", source, "work.remote(data, i)") == expected


LOOP = """
{prelude}


def main():
    for i in range(3):
        @ray.remote(num_cpus=1)
        def scaled(x):
            return {expression}

        print(ray.get(scaled.remote(i)))
        {after}
"""


@pytest.mark.parametrize("prelude,expression,after,expected", [
    ("SCALE = 1\n\n\ndef bump():\n    global SCALE\n    SCALE += 1", "x * SCALE", "bump()", "unsafe"),
    ("SCALE = 1\n\n\ndef factor():\n    return SCALE\n\n\ndef bump():\n    global SCALE\n    SCALE += 1",
     "x * factor()", "bump()", "unsafe"),
    ("class Config:\n    scale = 1", "x * Config.scale", "Config.scale += 1", "unsafe"),
    ("SCALE = 3\n\n\ndef factor():\n    return SCALE", "x * factor()", "pass", "safe"),
    ("SCALE = 3", "x * SCALE", "pass", "safe"),
], ids=["global-rebound", "helper-reads-rebound-global", "class-attribute-assigned", "stable-helper", "constant"])
def test_ray102_globals_that_change(prelude, expression, after, expected):
    source = LOOP.format(prelude=prelude, expression=expression, after=after)
    assert applicability("RAY102", source, "@ray.remote(num_cpus=1)") == expected



def _fix_kinds(code: str, body: str):
    result = lint_source(HEADER + textwrap.dedent(body), "case.py", LintOptions(enabled=frozenset({code})))
    return [d.fix.applicability if d.fix else None for d in result.diagnostics if d.code == code]


@pytest.mark.parametrize("body", [
    "    value = ray.get(pair.remote(x))\n    return ray.get(consume.remote(value))",
    "    value = ray.get(x)\n    return ray.get(consume.remote(value))",
], ids=["multi-return-producer", "ref-passed-in"])
def test_ray105_no_safe_fix_for_refs_it_cannot_trace(body):
    source = PAIR.format(options=", num_returns=2") + PIPELINE.format(body=body)
    assert "safe" not in _fix_kinds("RAY105", source)


def test_ray101_unsafe_when_a_coroutine_appends_to_a_module_list_after_the_get():
    body = ACCOUNT.split("@ray.remote(num_cpus=0)")[0] + (
        "RESULTS = []\n\n\nasync def collect(x):\n    v = ray.get(amount.remote(x))\n    RESULTS.append(v)\n")
    assert applicability("RAY101", body, "ray.get(") == "unsafe"


def test_ray101_safe_when_a_coroutine_only_reads_a_module_constant():
    body = ACCOUNT.split("@ray.remote(num_cpus=0)")[0] + (
        "FACTOR = 3\n\n\nasync def scaled(x):\n    v = ray.get(amount.remote(x))\n    return v * FACTOR\n")
    assert applicability("RAY101", body, "ray.get(") == "safe"


def test_ray002_unsafe_for_a_callee_imported_from_an_unknown_module():
    body = "from tasks import work\n\n\ndef run():\n    data = np.ones(1_000_000)\n" \
           "    return ray.get([work.remote(data, i) for i in range(3)])\n"
    assert applicability("RAY002", body, "work.remote(data, i)") == "unsafe"
