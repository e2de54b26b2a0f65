"""`validate --submit`: a Jobs API whose agent is still starting is waited for (bounded), and a refusal
is one clear line with exit 2, never an internal error."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from raylint.cli import main
from raylint.validate import jobs
from raylint.validate.cluster import ClusterError

NO_AGENT = ("Request failed with status code 503: No available agent to submit job, please try again later..")

PROGRAM = textwrap.dedent(
    """\
    import ray


    @ray.remote
    def square(x):
        return x * x


    if __name__ == "__main__":
        ray.init()
        print(sum(ray.get([square.remote(i) for i in range(4)])))
    """
)


class FakeClient:
    """Refuses with `errors` in turn, then accepts."""

    def __init__(self, errors):
        self.errors = list(errors)
        self.calls = []

    def submit_job(self, **job):
        self.calls.append(job)
        if self.errors:
            raise self.errors.pop(0)
        return "raysubmit_1"


@pytest.fixture
def no_sleep(monkeypatch):
    slept = []
    monkeypatch.setattr(jobs.time, "sleep", slept.append)
    return slept


def test_submission_waits_while_the_agent_is_starting(no_sleep):
    client = FakeClient([RuntimeError(NO_AGENT), RuntimeError(NO_AGENT)])
    assert jobs.submit_when_ready(client, "http://h:8265", entrypoint="python a.py") == "raysubmit_1"
    assert len(client.calls) == 3 and client.calls[0] == {"entrypoint": "python a.py"}
    assert len(no_sleep) == 2


def test_the_wait_is_bounded(monkeypatch, no_sleep):
    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr(jobs.time, "monotonic", lambda: next(clock))
    client = FakeClient([RuntimeError(NO_AGENT)] * 100)
    with pytest.raises(ClusterError) as caught:
        jobs.submit_when_ready(client, "http://h:8265", wait_s=30, entrypoint="python a.py")
    assert "no agent to run jobs after 30 s" in str(caught.value)
    assert len(client.calls) == 3  # refusals seen at 10, 20 and 30 s; 30 s is the deadline


def test_another_refusal_is_not_retried(no_sleep):
    client = FakeClient([RuntimeError("Request failed with status code 500: boom\nTraceback...\nValueError: bad")])
    with pytest.raises(ClusterError) as caught:
        jobs.submit_when_ready(client, "http://h:8265", entrypoint="python a.py")
    assert str(caught.value) == "the Jobs API at http://h:8265 refused the job: ValueError: bad"
    assert len(client.calls) == 1 and no_sleep == []


def test_validate_reports_an_agent_that_never_comes_as_one_line_and_exit_2(tmp_path, monkeypatch, no_sleep):
    pytest.importorskip("ray")
    client = FakeClient([RuntimeError(NO_AGENT)] * 1000)

    class Executor(jobs.JobsExecutor):
        def __init__(self, url, timeout):
            self.url, self.client, self.timeout = url, client, timeout

    monkeypatch.setattr(jobs, "JobsExecutor", Executor)
    monkeypatch.setattr(jobs, "AGENT_WAIT_S", 0.0)
    program = tmp_path / "prog.py"
    program.write_text(PROGRAM)
    result = CliRunner().invoke(main, ["validate", str(program), "--submit", "http://h:8265", "--repeat", "1",
                                          "--output-format", "json"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "raylint: the Jobs API at http://h:8265 still had no agent to run jobs after 0 s; "
        "is the cluster's dashboard agent running?"
    ]
    assert not list(tmp_path.glob(".*raylint-fixed*"))
