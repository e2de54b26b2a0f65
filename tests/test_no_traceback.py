"""No input makes raylint print a traceback: the standard library and the installed `ray` package's own
source (thousands of real files, including deliberately broken test data) are checked cleanly."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest


def test_stdlib_and_ray_source_check_without_traceback(tmp_path):
    spec = importlib.util.find_spec("ray")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the ray extra is not installed")
    ray_dir = list(spec.submodule_search_locations)[0]
    stdlib = sysconfig.get_paths()["stdlib"]
    config = tmp_path / "raylint.toml"
    config.write_text('extend-exclude = ["site-packages", "dist-packages"]\n')
    completed = subprocess.run(
        [sys.executable, "-m", "raylint", "check", stdlib, ray_dir, "--config", str(config),
         "--output-format", "json", "--no-cache"],
        cwd=tmp_path,
        # every file parsed, also those without Ray content that the prefilter would skip
        env=dict(os.environ, RAYLINT_NO_PREFILTER="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in completed.stderr
    # the only thing on stderr: Ruff's warnings for malformed noqa (ray has some `noqa F401` comments)
    assert all(line.startswith("warning: Invalid `# noqa` directive on ") for line in completed.stderr.splitlines())
    assert completed.returncode in (0, 1)
    findings = json.loads(completed.stdout)
    codes = {finding["code"] for finding in findings}
    # the stdlib ships files that are broken on purpose; each is one finding, not a crash
    assert "invalid-syntax" in codes
    assert any(Path(f["filename"]).is_relative_to(ray_dir) and f["code"].startswith("RAY") for f in findings)
