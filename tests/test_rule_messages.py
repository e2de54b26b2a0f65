"""Messages name what raylint actually knows: an imported, unseen `X` in `ray.remote(X)` may be a
function or an actor class, and a remote defined in an actor method is in "an actor method"."""

from __future__ import annotations

import textwrap

from raylint.api import check_files

SOURCE = textwrap.dedent(
    """\
    import ray

    from mylib.workers import Worker


    @ray.remote(num_cpus=1)
    class Runner:
        def run(self):
            remote_worker = ray.remote(Worker)
            return remote_worker
    """
)


def _messages(tmp_path, code):
    path = tmp_path / "runner.py"
    path.write_text(SOURCE)
    return [(d.location.row, d.message) for d in check_files([path], select=[code])]


def test_ray102_names_an_unseen_class_as_function_or_actor(tmp_path):
    [(row, message)] = _messages(tmp_path, "RAY102")
    assert row == 9
    assert message.startswith("remote function or actor class defined inside an actor method:")


def test_ray003_says_an_unseen_target_may_be_a_function_or_an_actor(tmp_path):
    [(row, message)] = _messages(tmp_path, "RAY003")
    assert row == 9
    assert "makes a remote function or actor of `Worker`, defined elsewhere" in message


def test_ray003_spells_an_expression_target_by_its_callee(tmp_path):
    path = tmp_path / "dynamic.py"
    path.write_text("import ray\n\nimport mylib.tasks\n\nclass Base:\n    pass\n\n"
                    "RemoteDynamic = ray.remote(type('Dynamic', (Base,), {}))\n"
                    "remote_work = ray.remote(mylib.tasks.work)\n")
    messages = [(d.location.row, d.message) for d in check_files([path], select=["RAY003"])]
    assert [row for row, _ in messages] == [8, 9]
    assert messages[0][1].startswith("`ray.remote(type(...))` makes a remote function or actor of `type(...)`, "
                                     "which raylint cannot follow,")
    assert messages[1][1].startswith("`ray.remote(mylib.tasks.work)` makes a remote function or actor of "
                                     "`mylib.tasks.work`, defined elsewhere,")
    assert not any("None" in message for _, message in messages)
