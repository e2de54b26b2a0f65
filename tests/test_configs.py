"""RAY201 on cluster configuration files: exact rows where the fixtures cannot hold a marker (continued
commands, folded strings), noqa placement, discovery, untrusted and broken YAML, the fixes, every output
format, and the CLI end to end."""

from __future__ import annotations

import json
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from raylint.api import FixRequest, check, check_files, check_text
from raylint.cli import main
from raylint.config import Settings, load_settings
from raylint.configs import config_kind, config_parses
from raylint.configs.yaml_reader import compose
from raylint.fixing import FixPolicy

KUBERAY = textwrap.dedent(
    """\
    apiVersion: ray.io/v1
    kind: RayCluster
    metadata:
      name: demo
    spec:
      headGroupSpec:
        rayStartParams:   # tuned below
          dashboard-host: "0.0.0.0"
      workerGroupSpecs:
        - groupName: w
          replicas: 2
    """
)
SCRIPT = textwrap.dedent(
    """\
    #!/bin/bash
    ray start --head \\
        --port=6379 \\
        --dashboard-host=0.0.0.0
    ssh worker-1 "ray start --address=$HEAD:6379"
    """
)


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def rows(path: Path, **kwargs):
    return [(d.code, d.location.row, d.location.column) for d in check_files([path], **kwargs)]


def _settings(root: Path) -> Settings:
    return Settings(root=root, cache_dir=root / ".raylint_cache")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.raylint]\n")
    return tmp_path


# ---- where findings are reported, and where a noqa directive goes ------------------------------------------------


def test_continued_shell_command_is_reported_where_ray_start_stands(tmp_path):
    path = write(tmp_path / "start.sh", SCRIPT)
    assert rows(path) == [("RAY201", 2, 1)]


def test_noqa_for_a_continued_command_goes_on_its_last_line(tmp_path):
    silenced = SCRIPT.replace("--dashboard-host=0.0.0.0", "--dashboard-host=0.0.0.0  # noqa: RAY201")
    assert rows(write(tmp_path / "start.sh", silenced)) == []
    other_code = SCRIPT.replace("--dashboard-host=0.0.0.0", "--dashboard-host=0.0.0.0  # noqa: RAY001")
    assert rows(write(tmp_path / "other.sh", other_code)) == [("RAY201", 2, 1)]


def test_shell_file_level_noqa(tmp_path):
    assert rows(write(tmp_path / "start.sh", "# raylint: noqa: RAY201\n" + SCRIPT)) == []


def test_ray_start_split_over_a_folded_string_is_reported_on_its_line(tmp_path):
    config = textwrap.dedent(
        """\
        cluster_name: c
        max_workers: 2
        head_start_ray_commands:
          - ray stop
          - >-
            ulimit -n 65536;
            ray start
            --head --port=6379
        """
    )
    path = write(tmp_path / "cluster.yaml", config)
    assert rows(path) == [("RAY201", 7, 5)]
    # A block scalar cannot hold a comment: its noqa directive goes on the header line.
    assert rows(write(tmp_path / "silenced.yaml", config.replace("- >-", "- >-  # noqa: RAY201"))) == []


def test_hash_inside_a_yaml_string_is_not_a_noqa(tmp_path):
    config = KUBERAY.replace('dashboard-host: "0.0.0.0"', 'dashboard-host: "0.0.0.0 # noqa: RAY201"')
    assert rows(write(tmp_path / "rc.yaml", config)) == [("RAY201", 7, 5)]
    assert rows(write(tmp_path / "file.yaml", "# raylint: noqa\n" + KUBERAY)) == []


def test_crlf_line_endings_keep_rows_and_fix(tmp_path):
    path = write(tmp_path / "rc.yaml", KUBERAY.replace("\n", "\r\n"))
    [diagnostic] = check_files([path])
    assert diagnostic.location.row == 7
    outcome = check([str(path)], _settings(tmp_path), use_cache=False, fix=FixRequest(FixPolicy(unsafe=True), True))
    assert outcome.diagnostics == []
    written = path.open(encoding="utf-8", newline="").read()
    assert '    rayStartParams:   # tuned below\r\n      num-cpus: "0"\r\n' in written


def test_worker_start_alone_or_echoed_head_is_quiet(tmp_path):
    script = 'echo "ray start --head"\nray start --address=head:6379\n# ray start --head\n'
    assert rows(write(tmp_path / "worker.sh", script)) == []
    heredoc = "cat <<'EOF'\nray start --head won't run here\nEOF\nray start --address=head:6379\n"
    assert rows(write(tmp_path / "heredoc.sh", heredoc)) == []


def test_flags_hidden_in_a_variable_are_unknown(tmp_path):
    script = 'ray start --head $HEAD_ARGS\nray start --head --port $PORT "$@"\nray start --address=head:6379\n'
    assert rows(write(tmp_path / "quiet.sh", script)) == []
    script = "ray start --head --port $PORT\nray start --address=head:6379\n"
    assert rows(write(tmp_path / "loud.sh", script)) == [("RAY201", 1, 1)]


def test_heredoc_fed_to_ssh_runs_as_commands(tmp_path):
    script = ("ssh head <<'EOS'\nray start --head --port=6379\nEOS\n"
              "for h in a b; do\n  ssh $h <<EOS\n    ray start --address=head:6379\nEOS\ndone\n")
    assert rows(write(tmp_path / "start.sh", script)) == [("RAY201", 2, 1)]
    assert fixed(tmp_path, "fixed.sh", script) == script.replace("--head", "--head --num-cpus=0")


def test_head_group_shared_through_an_alias_is_reported_once(tmp_path):
    cluster = "- apiVersion: ray.io/v1\n  kind: RayCluster\n  spec:\n    headGroupSpec: {head}\n{params}" \
              "    workerGroupSpecs: [{{groupName: w}}]\n"
    listed = ("kind: List\nitems:\n" + cluster.format(head="&head", params="      rayStartParams: {}\n")
              + cluster.format(head="*head", params=""))
    assert rows(write(tmp_path / "list.yaml", listed)) == [("RAY201", 7, 7)]


# ---- which files are read, and how ---------------------------------------------------------------------


def test_kind_by_name_and_shebang():
    assert config_kind("a/b.yaml") == config_kind("c.YML") == config_kind(".clang-format") == "yaml"
    assert config_kind("run.sh") == config_kind("x", "#!/usr/bin/env bash\n") == config_kind("PKGBUILD") == "shell"
    assert config_kind("job.py") is None and config_kind("launch.py", "#!/bin/sh\n") is None
    assert config_kind("tool", "#!/usr/bin/env python3\n") is None


def test_directory_walk_takes_only_ray_configs(project):
    write(project / "k8s" / "cluster.yaml", KUBERAY)
    write(project / "k8s" / "deployment.yml", "apiVersion: apps/v1\nkind: Deployment\n")
    write(project / "scripts" / "start.sh", SCRIPT)
    write(project / "scripts" / "build.sh", "make all\n")
    write(project / "notes.txt", KUBERAY)
    outcome = check(["."], load_settings(start=project), use_cache=False)
    assert outcome.files_checked == 2
    assert sorted((Path(d.filename).name, d.location.row) for d in outcome.diagnostics) == [
        ("cluster.yaml", 7), ("start.sh", 2)]


def test_exclude_and_per_file_ignores_apply(project):
    write(project / "k8s" / "cluster.yaml", KUBERAY)
    write(project / "scripts" / "start.sh", SCRIPT)
    write(project / "pyproject.toml", textwrap.dedent(
        """\
        [tool.raylint]
        extend-exclude = ["k8s"]

        [tool.raylint.per-file-ignores]
        "scripts/*.sh" = ["RAY201"]
        """
    ))
    outcome = check(["."], load_settings(start=project), use_cache=False)
    assert outcome.diagnostics == []
    # A file named on the command line is checked even when excluded (unless --force-exclude).
    named = check(["k8s/cluster.yaml"], load_settings(start=project), use_cache=False)
    assert [(d.code, d.location.row) for d in named.diagnostics] == [("RAY201", 7)]


def test_include_and_extend_include_choose_the_walked_files(project):
    write(project / "k8s" / "cluster.yaml", KUBERAY)
    write(project / "start.zsh", SCRIPT)
    write(project / "pyproject.toml", '[tool.raylint]\ninclude = ["*.py"]\n')
    assert check(["."], load_settings(start=project), use_cache=False).files_checked == 0
    write(project / "pyproject.toml", '[tool.raylint]\nextend-include = ["*.zsh"]\n')
    outcome = check(["."], load_settings(start=project), use_cache=False)
    assert sorted((Path(d.filename).name, d.location.row) for d in outcome.diagnostics) == [
        ("cluster.yaml", 7), ("start.zsh", 2)]


def test_explicit_yaml_that_is_not_a_ray_config_is_quiet(tmp_path):
    path = write(tmp_path / "values.yaml", "head:\n  cpu: 2\nbroken: [\n")
    assert rows(path) == []


def test_rule_not_selected_reads_nothing(tmp_path):
    path = write(tmp_path / "rc.yaml", KUBERAY.replace("kind: RayCluster", "kind: [RayCluster"))
    assert rows(path, select=["RAY001"]) == []


# ---- untrusted and broken YAML ---------------------------------------------------------------------------


def test_broken_ray_yaml_is_one_finding_with_its_position(project):
    broken = KUBERAY.replace("      dashboard-host: \"0.0.0.0\"", "      dashboard-host: \"0.0.0.0\n    bad: [")
    write(project / "rc.yaml", broken)
    result = invoke("check", "--no-cache", "--output-format", "concise", "rc.yaml")
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("rc.yaml")]
    assert line.startswith("rc.yaml:") and "invalid-syntax" in line and "YAML error" in line
    assert "Traceback" not in result.output


def test_template_that_is_not_yaml_yet_is_quiet(tmp_path):
    template = ("kind: RayCluster\nspec:\n  headGroupSpec:\n    rayStartParams:\n"
                "      {{- toYaml .Values.head | nindent 6 }}\n")
    assert rows(write(tmp_path / "raycluster.yaml", template)) == []


def test_yaml_tags_never_construct_anything(tmp_path):
    marker = tmp_path / "pwned"
    payload = f'!!python/object/apply:os.system ["touch {marker}"]'
    config = KUBERAY.replace("  name: demo", f"  name: {payload}")
    assert rows(write(tmp_path / "rc.yaml", config)) == [("RAY201", 7, 5)]
    assert not marker.exists()


def test_alias_bombs_and_deep_nesting_do_not_hang_or_crash(tmp_path):
    bomb = ["a0: &a0 [rayStartParams, rayStartParams]"]
    bomb += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 40)]
    started = time.perf_counter()
    assert rows(write(tmp_path / "bomb.yaml", "\n".join(bomb) + "\n")) == []
    assert time.perf_counter() - started < 5
    deep = "rayStartParams: " + "[" * 20000 + "]" * 20000 + "\n"
    [diagnostic] = check_files([write(tmp_path / "deep.yaml", deep)])
    assert diagnostic.code == "invalid-syntax"


# ---- fixes ----------------------------------------------------------------------------------------------


def fixed(tmp_path: Path, name: str, text: str) -> str:
    path = write(tmp_path / name, text)
    settings = _settings(tmp_path)
    check([str(path)], settings, use_cache=False, fix=FixRequest(FixPolicy(unsafe=True), True))
    after = path.read_text(encoding="utf-8")
    assert config_parses(after, str(path))
    again = check([str(path)], settings, use_cache=False, fix=FixRequest(FixPolicy(unsafe=True), True))
    assert again.changes == [] and again.diagnostics == []  # idempotent: nothing left to fix
    return after


def test_fix_adds_num_cpus_first_keeping_comments(tmp_path):
    assert fixed(tmp_path, "rc.yaml", KUBERAY) == KUBERAY.replace(
        "   # tuned below\n", '   # tuned below\n      num-cpus: "0"\n')


def test_fix_is_unsafe_only(project):
    path = write(project / "rc.yaml", KUBERAY)
    result = invoke("fix", "--apply", "--no-cache", "rc.yaml")
    assert path.read_text(encoding="utf-8") == KUBERAY
    result = invoke("fix", "--apply", "--unsafe-fixes", "--no-cache", "rc.yaml")
    assert 'num-cpus: "0"' in path.read_text(encoding="utf-8"), result.output


def test_fix_adds_start_params_at_the_files_indentation_with_gpus(tmp_path):
    source = textwrap.dedent(
        """\
        apiVersion: ray.io/v1
        kind: RayJob
        spec:
            rayClusterSpec:
                headGroupSpec:
                    # the head
                    template:
                        spec:
                            containers:
                                - name: head
                                  resources:
                                      limits: {nvidia.com/gpu: 1}
                workerGroupSpecs:
                    - groupName: w
        """
    )
    assert fixed(tmp_path, "job.yaml", source) == source.replace(
        "            template:\n",
        '            rayStartParams:\n                num-cpus: "0"\n                num-gpus: "0"\n'
        "            template:\n", 1)


def test_fix_fills_empty_and_flow_start_params_and_resets_a_count(tmp_path):
    empty = KUBERAY.replace('   # tuned below\n      dashboard-host: "0.0.0.0"\n', "\n")
    assert fixed(tmp_path, "empty.yaml", empty) == empty.replace(
        "    rayStartParams:\n", '    rayStartParams:\n      num-cpus: "0"\n')
    flow = KUBERAY.replace('   # tuned below\n      dashboard-host: "0.0.0.0"\n', " {block: 'true'}\n")
    assert fixed(tmp_path, "flow.yaml", flow) == flow.replace("{block", '{num-cpus: "0", block')
    counted = KUBERAY.replace('dashboard-host: "0.0.0.0"', "num-cpus: 16  # big head")
    assert fixed(tmp_path, "count.yaml", counted) == counted.replace("16", '"0"')


def test_fix_inserts_the_flag_after_head(tmp_path):
    assert fixed(tmp_path, "start.sh", SCRIPT) == SCRIPT.replace("--head \\", "--head --num-cpus=0 \\")
    launcher = "max_workers: 2\nhead_start_ray_commands:\n  - >-\n    ray start\n    --head --num-cpus 8\n"
    assert fixed(tmp_path, "cluster.yaml", launcher) == launcher.replace("--num-cpus 8", "--num-cpus 0")


def test_no_fix_inside_a_quoted_remote_command_with_expansions(tmp_path):
    script = 'ssh head "ray start --head --port=$PORT"\nray start --address=head:6379\n'
    [diagnostic] = check_files([write(tmp_path / "start.sh", script)])
    assert diagnostic.location.row == 1 and diagnostic.fix is None


# ---- output formats, stdin and the hooks -------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "json-lines", "github", "sarif", "junit"])
def test_every_output_format_reports_a_yaml_finding(project, output_format):
    write(project / "rc.yaml", KUBERAY)
    result = invoke("check", "--no-cache", "--output-format", output_format, "rc.yaml")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "RAY201" in out
    if output_format == "full":
        assert "rc.yaml:7:5" in out and "    rayStartParams:   # tuned below" in out and "^^^^" in out
    elif output_format == "concise":
        assert out.startswith("rc.yaml:7:5: RAY201")
    elif output_format == "json":
        [finding] = json.loads(out)
        assert finding["location"] == {"row": 7, "column": 5} and finding["fix"]["applicability"] == "unsafe"
    elif output_format == "json-lines":
        assert json.loads(out.splitlines()[0])["location"]["row"] == 7
    elif output_format == "github":
        assert "file=rc.yaml,line=7,col=5" in out
    elif output_format == "sarif":
        [run] = json.loads(out)["runs"]
        [found] = run["results"]
        assert found["ruleId"] == "RAY201"
        assert found["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    else:
        assert ET.fromstring(out).find(".//failure") is not None


def test_stdin_with_a_yaml_filename(project):
    result = CliRunner().invoke(main, ["check", "--output-format", "concise", "--stdin-filename", "rc.yaml"],
                                input=KUBERAY)
    assert result.exit_code == 1 and result.output.startswith("rc.yaml:7:5: RAY201"), result.output


def test_check_text_lints_a_config_as_the_language_server_does(tmp_path):
    outcome = check_text(SCRIPT, str(tmp_path / "start.sh"), _settings(tmp_path))
    assert [(d.code, d.location.row) for d in outcome.diagnostics] == [("RAY201", 2)]


def test_add_noqa_silences_config_findings(project):
    path = write(project / "rc.yaml", KUBERAY)
    write(project / "start.sh", SCRIPT)
    invoke("check", "--no-cache", "--add-noqa", ".")
    assert compose(path.read_text(encoding="utf-8"))
    assert invoke("check", "--no-cache", ".").exit_code == 0


def test_language_server_publishes_config_findings(tmp_path):
    """A real LSP session over an in-memory pipe, as in tests/test_server.py, for a YAML document."""
    import asyncio
    import threading

    types = pytest.importorskip("lsprotocol.types")
    pytest.importorskip("pygls")
    from pygls.io_ import run_async
    from pygls.lsp.client import LanguageClient

    from raylint.server import build_server

    class Pipe:
        def __init__(self):
            self.reader = asyncio.StreamReader()

        def write(self, data):
            self.reader.feed_data(data)

        def close(self):
            self.reader.feed_eof()

    async def session():
        server, client = build_server(), LanguageClient("raylint-test", "0")
        to_server, to_client = Pipe(), Pipe()
        server.protocol.set_writer(to_client)
        client.protocol.set_writer(to_server)
        published = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params):
            published.put_nowait(params)

        loops = [asyncio.create_task(run_async(stop_event=threading.Event(), reader=pipe.reader,
                                               protocol=endpoint.protocol))
                 for endpoint, pipe in ((server, to_server), (client, to_client))]
        try:
            await asyncio.wait_for(client.initialize_async(types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri())), 10)
            client.initialized(types.InitializedParams())
            uri = (tmp_path / "cluster.yaml").as_uri()
            client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=KUBERAY)))
            opened = await asyncio.wait_for(published.get(), 10)
            await asyncio.wait_for(client.shutdown_async(None), 10)
            return opened
        finally:
            to_server.close()
            to_client.close()
            await asyncio.wait_for(asyncio.gather(*loops), 10)

    [diagnostic] = asyncio.run(session()).diagnostics
    assert diagnostic.code == "RAY201"
    assert diagnostic.range.start == types.Position(6, 4)
