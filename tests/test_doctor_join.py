"""--source: runtime names from the task events joined to definitions and to the static findings in
them or on the lines that submit them, across files; no Ray needed."""

from __future__ import annotations

import textwrap

from raylint.doctor.checks import Symptom
from raylint.doctor.source_join import analyse, join

TASKS = '''\
import ray


@ray.remote
def double(x):
    return x * 2


@ray.remote(max_restarts=1)
class Flaky:
    def crash(self):
        return 1


def fan_out():
    refs = [double.remote(i) for i in range(20_000)]
    return sum(ray.get(refs))
'''

DRIVER = '''\
import ray

from app.tasks import Flaky, double


def main():
    results = []
    for x in range(10):
        results.append(ray.get(double.remote(x)))
    actor = Flaky.remote()
    return results, ray.get(actor.crash.remote())
'''


def project(tmp_path):
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tasks.py").write_text(TASKS)
    (package / "driver.py").write_text(textwrap.dedent(DRIVER))
    return package


def symptom(*functions, related=()):
    return Symptom("DOC000", "test", "test", [], "", "", list(functions), tuple(related))


def rows(found):
    return [(loc.filename.rsplit("/", 1)[-1], loc.row, loc.note.split(":")[0]) for loc in found.locations]


def test_a_function_joins_its_definition_and_the_findings_on_its_submissions(tmp_path):
    view = analyse([str(project(tmp_path))])
    tiny, serial = symptom("double", related=("RAY004",)), symptom("double", related=("RAY001",))
    join([tiny, serial], view)
    assert rows(tiny)[0] == ("tasks.py", 5, "remote function `double` defined here")
    assert rows(tiny)[1] == ("tasks.py", 16, "RAY004 tiny-task-fanout")
    assert ("driver.py", 9, "RAY001 ray-get-in-loop") in rows(tiny)
    # the rule the symptom points to comes first among the findings
    assert rows(serial)[1] == ("driver.py", 9, "RAY001 ray-get-in-loop")


def test_an_actor_method_joins_its_class_and_unknown_names_join_nothing(tmp_path):
    view = analyse([str(project(tmp_path))])
    actor, unknown = symptom("Flaky.crash"), symptom("not_in_source")
    join([actor, unknown], view)
    assert rows(actor)[0] == ("tasks.py", 10, "actor class `Flaky` defined here")
    assert unknown.locations == []
