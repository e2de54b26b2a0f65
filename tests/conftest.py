"""Shared fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A temporary project directory that is also the cwd, with its cache kept inside it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RAYLINT_CACHE_DIR", raising=False)
    return tmp_path


@pytest.fixture(autouse=True)
def _no_github_step_summary(monkeypatch):
    """Tests that render `github` output must not append to a real CI job summary."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
