"""How raylint finds, reads and validates its configuration, and how selectors pick rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from raylint import registry
from raylint.config import (
    DEFAULT_EXCLUDE,
    ConfigError,
    enabled_codes,
    find_config,
    ignored_for_file,
    load_settings,
    resolve_selectors,
)

CORE = {"RAY001", "RAY002", "RAY003", "RAY004", "RAY005"}
EVERY_CODE = set(registry.codes())
DEFAULT_CODES = {code for code, cls in registry.rule_classes().items() if cls.default_enabled and not cls.preview}
SETTING_KEYS = (
    "cache-dir, doctor, exclude, extend-exclude, extend-include, extend-per-file-ignores, extend-select, fixable, "
    "force-exclude, ignore, include, per-file-ignores, preview, respect-gitignore, select, unfixable, unsafe-fixes"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def config_error(tmp_path: Path, text: str, name: str = "pyproject.toml") -> str:
    """The message load_settings raises for a config file holding `text`."""
    write(tmp_path / name, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(start=tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def rule_list() -> str:
    return ", ".join(f"{code} ({cls.name})" for code, cls in registry.rule_classes().items())


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RAYLINT_CACHE_DIR", raising=False)


# --- finding the config file ---


def test_nearest_config_upwards_wins(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.raylint]\n")
    near = write(tmp_path / "pkg" / "pyproject.toml", "[tool.raylint]\nignore = ['RAY001']\n")
    (tmp_path / "pkg" / "sub").mkdir()
    assert find_config(tmp_path / "pkg" / "sub") == near
    assert find_config(tmp_path / "pkg" / "sub" / "file.py") == near


def test_pyproject_without_raylint_table_is_skipped(tmp_path):
    outer = write(tmp_path / "pyproject.toml", "[tool.raylint]\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n[tool.ruff]\nline-length = 100\n")
    assert find_config(tmp_path / "pkg") == outer


def test_raylint_toml_takes_precedence_in_the_same_directory(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.raylint]\n")
    plain = write(tmp_path / "raylint.toml", "")
    assert find_config(tmp_path) == plain
    hidden = write(tmp_path / ".raylint.toml", "")
    assert find_config(tmp_path) == hidden


def test_nearer_raylint_toml_beats_farther_pyproject(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.raylint]\n")
    near = write(tmp_path / "pkg" / "raylint.toml", "")
    assert find_config(tmp_path / "pkg") == near


def test_no_config_gives_defaults_rooted_at_the_cwd(tmp_path):
    assert find_config(tmp_path) is None
    settings = load_settings()
    assert settings.root == tmp_path
    assert settings.config_path is None
    assert settings.select is None
    assert settings.exclude == DEFAULT_EXCLUDE
    assert "site-packages" not in settings.exclude
    assert settings.cache_dir == tmp_path / ".raylint_cache"
    assert settings.respect_gitignore is True
    assert settings.force_exclude is False
    assert settings.unsafe_fixes is None
    assert settings.rule_options == {}


# --- reading settings ---


def test_every_key_lands_on_settings(tmp_path):
    write(
        tmp_path / "pyproject.toml",
        """
[tool.raylint]
select = ["RAY0"]
extend-select = ["RAY001"]
ignore = ["tiny-task-fanout"]
exclude = ["generated"]
extend-exclude = ["*_pb2.py"]
respect-gitignore = false
force-exclude = true
cache-dir = "cache"
fixable = ["ALL"]
unfixable = ["RAY002"]
unsafe-fixes = true

[tool.raylint.per-file-ignores]
"tests/**" = ["RAY001"]
"!src/**" = ["RAY"]

[tool.raylint.extend-per-file-ignores]
"__init__.py" = ["RAY005"]

[tool.raylint.large-arg-without-put]
min-bytes = 1048576

[tool.raylint.missing-resources]
mode = "needed"

[tool.raylint.tiny-task-fanout]
min-tasks = 10000

[tool.raylint.driver-side-loading]
extra-loaders = ["mypkg.io.load_table"]
""",
    )
    (tmp_path / "src").mkdir()
    settings = load_settings(start=tmp_path / "src")
    assert settings.root == tmp_path
    assert settings.config_path == tmp_path / "pyproject.toml"
    assert settings.select == ("RAY0",)
    assert settings.extend_select == ("RAY001",)
    assert settings.ignore == ("tiny-task-fanout",)
    assert settings.exclude == ("generated",)
    assert settings.extend_exclude == ("*_pb2.py",)
    assert settings.respect_gitignore is False
    assert settings.force_exclude is True
    assert settings.cache_dir == tmp_path / "cache"
    assert settings.fixable == ("ALL",)
    assert settings.unfixable == ("RAY002",)
    assert settings.unsafe_fixes is True
    assert settings.per_file_ignores == (
        ("tests/**", ("RAY001",)),
        ("!src/**", ("RAY",)),
        ("__init__.py", ("RAY005",)),
    )
    assert settings.rule_options == {
        "RAY002": {"min-bytes": 1048576},
        "RAY003": {"mode": "needed"},
        "RAY004": {"min-tasks": 10000},
        "RAY005": {"extra-loaders": ["mypkg.io.load_table"]},
    }


def test_raylint_toml_uses_top_level_keys(tmp_path):
    write(tmp_path / "raylint.toml", 'ignore = ["RAY001"]\n[missing-resources]\nmode = "needed"\n')
    settings = load_settings()
    assert settings.ignore == ("RAY001",)
    assert settings.rule_options == {"RAY003": {"mode": "needed"}}


def test_explicit_config_path_sets_the_root(tmp_path):
    config = write(tmp_path / "elsewhere" / "pyproject.toml", "[tool.raylint]\nselect = ['RAY002']\n")
    write(tmp_path / "pyproject.toml", "[tool.raylint]\nselect = ['RAY001']\n")
    settings = load_settings(config=config)
    assert settings.select == ("RAY002",)
    assert settings.root == tmp_path / "elsewhere"
    assert settings.cache_dir == tmp_path / "elsewhere" / ".raylint_cache"


def test_explicit_pyproject_without_table_gives_defaults(tmp_path):
    config = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_settings(config=config).select is None


def test_cache_dir_environment_variable_overrides_config(tmp_path, monkeypatch):
    write(tmp_path / "pyproject.toml", "[tool.raylint]\ncache-dir = 'from-config'\n")
    monkeypatch.setenv("RAYLINT_CACHE_DIR", "from-env")
    assert load_settings().cache_dir == tmp_path / "from-env"


# --- every error path, one line each ---


def test_unknown_key(tmp_path):
    assert config_error(tmp_path, "[tool.raylint]\nselct = ['RAY001']\n") == (
        "pyproject.toml: [tool.raylint] selct: unknown key (did you mean 'select'?); expected one of "
        f"{SETTING_KEYS}, or a rule table: {', '.join(sorted(c.name for c in registry.rule_classes().values()))}"
    )


def test_unknown_rule_table(tmp_path):
    message = config_error(tmp_path, "[tool.raylint.no-such-rule]\nx = 1\n")
    assert message.startswith("pyproject.toml: [tool.raylint] no-such-rule: unknown key; expected one of cache-dir,")


def test_rule_table_named_by_code(tmp_path):
    assert config_error(tmp_path, "[tool.raylint.RAY003]\nmode = 'needed'\n") == (
        "pyproject.toml: [tool.raylint] RAY003: unknown key; per-rule tables are named after the rule: "
        "use [tool.raylint.missing-resources]"
    )


def test_unknown_option(tmp_path):
    assert config_error(tmp_path, "[tool.raylint.missing-resources]\nmod = 'all'\n") == (
        "pyproject.toml: [tool.raylint.missing-resources] mod: unknown option (did you mean 'mode'?); "
        "expected one of 'mode'"
    )


def test_option_on_a_rule_without_options(tmp_path):
    assert config_error(tmp_path, "[tool.raylint.ray-get-in-loop]\nstrict = true\n") == (
        "pyproject.toml: [tool.raylint.ray-get-in-loop] strict: unknown option; ray-get-in-loop has no options"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "[tool.raylint.missing-resources]\nmode = 'some'\n",
            "pyproject.toml: [tool.raylint.missing-resources] mode: got 'some', expected one of 'all', 'needed'",
        ),
        (
            "[tool.raylint.large-arg-without-put]\nmin-bytes = '100KB'\n",
            "pyproject.toml: [tool.raylint.large-arg-without-put] min-bytes: got '100KB', expected a non-negative integer",
        ),
        (
            "[tool.raylint.tiny-task-fanout]\nmin-tasks = -1\n",
            "pyproject.toml: [tool.raylint.tiny-task-fanout] min-tasks: got -1, expected a non-negative integer",
        ),
        (
            "[tool.raylint.driver-side-loading]\nextra-loaders = 'mypkg.load'\n",
            "pyproject.toml: [tool.raylint.driver-side-loading] extra-loaders: got 'mypkg.load', expected a list of strings",
        ),
        (
            "[tool.raylint]\nmissing-resources = 3\n",
            "pyproject.toml: [tool.raylint] missing-resources: got 3, expected a table of rule options",
        ),
        (
            "[tool.raylint]\nselect = 'RAY001'\n",
            "pyproject.toml: [tool.raylint] select: got 'RAY001', expected a list of strings",
        ),
        (
            "[tool.raylint]\nignore = ['RAY001', 2]\n",
            "pyproject.toml: [tool.raylint] ignore: got ['RAY001', 2], expected a list of strings",
        ),
        (
            "[tool.raylint]\nrespect-gitignore = 'yes'\n",
            "pyproject.toml: [tool.raylint] respect-gitignore: got 'yes', expected true or false",
        ),
        (
            "[tool.raylint]\nunsafe-fixes = 1\n",
            "pyproject.toml: [tool.raylint] unsafe-fixes: got 1, expected true or false",
        ),
        (
            "[tool.raylint]\ncache-dir = false\n",
            "pyproject.toml: [tool.raylint] cache-dir: got false, expected a path as a string",
        ),
        (
            "[tool.raylint]\nper-file-ignores = ['tests/**']\n",
            "pyproject.toml: [tool.raylint] per-file-ignores: got ['tests/**'], expected a table of \"glob\" = [\"RAY001\", ...]",
        ),
        (
            "[tool.raylint.per-file-ignores]\n'tests/**' = 'RAY001'\n",
            "pyproject.toml: [tool.raylint.per-file-ignores] \"tests/**\": got 'RAY001', expected a list of strings",
        ),
        (
            "[tool.raylint]\nexclude = ['build\\']\n",
            "pyproject.toml: [tool.raylint] exclude: got 'build\\\\', expected a gitignore-style glob",
        ),
        (
            "[tool.raylint.per-file-ignores]\n'!' = ['RAY001']\n",
            "pyproject.toml: [tool.raylint.per-file-ignores] \"!\": got '', expected a gitignore-style glob",
        ),
        (
            "[tool]\nraylint = 'on'\n",
            "pyproject.toml: [tool] raylint: got 'on', expected a table",
        ),
    ],
)
def test_wrong_value(tmp_path, text, message):
    assert config_error(tmp_path, text) == message


@pytest.mark.parametrize("key", ["select", "extend-select", "ignore", "fixable", "unfixable"])
def test_unknown_selector_in_a_list(tmp_path, key):
    assert config_error(tmp_path, f"[tool.raylint]\n{key} = ['RAY999']\n") == (
        f"pyproject.toml: [tool.raylint] {key}: unknown rule selector 'RAY999'; "
        f"expected 'ALL', a code or code prefix such as 'RAY0', or a rule: {rule_list()}"
    )


def test_unknown_selector_in_per_file_ignores(tmp_path):
    message = config_error(tmp_path, "[tool.raylint.per-file-ignores]\n'tests/**' = ['ray-get-in-loops']\n")
    assert message.startswith(
        "pyproject.toml: [tool.raylint.per-file-ignores] \"tests/**\": unknown rule selector 'ray-get-in-loops' "
        "(did you mean 'ray-get-in-loop'?); expected 'ALL'"
    )


def test_toml_syntax_error_has_a_position(tmp_path):
    assert config_error(tmp_path, "[tool.raylint]\nselect = ['RAY001'\nignore = []\n") == (
        "pyproject.toml:3:1: invalid TOML: Unclosed array"
    )


def test_config_that_is_not_utf8(tmp_path):
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.raylint]\n# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: the file is not valid UTF-8$"):
        load_settings()


def test_errors_in_raylint_toml_name_no_table(tmp_path):
    message = config_error(tmp_path, "[missing-resources]\nmode = 'some'\n", name="raylint.toml")
    assert message == "raylint.toml: [missing-resources] mode: got 'some', expected one of 'all', 'needed'"
    assert config_error(tmp_path, "selct = []\n", name="raylint.toml").startswith("raylint.toml: selct: unknown key")


def test_config_above_the_cwd_is_named_by_its_absolute_path(tmp_path, monkeypatch):
    write(tmp_path / "pyproject.toml", "[tool.raylint]\nselect = 'RAY001'\n")
    (tmp_path / "pkg").mkdir()
    monkeypatch.chdir(tmp_path / "pkg")
    with pytest.raises(ConfigError, match=f"^{tmp_path / 'pyproject.toml'}: \\[tool.raylint\\] select: "):
        load_settings()


def test_missing_explicit_config(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(config=tmp_path / "nope.toml")
    assert str(caught.value) == "nope.toml: cannot read config: No such file or directory"


# --- selectors ---


@pytest.mark.parametrize(
    "selectors, codes",
    [
        (["RAY003"], {"RAY003"}),
        (["missing-resources"], {"RAY003"}),
        (["RAY00"], CORE),
        (["RAY"], EVERY_CODE),
        (["ALL"], EVERY_CODE),
        (["RAY001", "tiny-task-fanout"], {"RAY001", "RAY004"}),
        ([], set()),
    ],
)
def test_resolve_selectors(selectors, codes):
    assert resolve_selectors(selectors, "--select") == codes


@pytest.mark.parametrize(
    "selector, hint",
    [
        ("RAY8", ""),
        ("R", ""),
        ("ray001", " (did you mean 'RAY001'?)"),
        ("all", " (did you mean 'ALL'?)"),
    ],
)
def test_unknown_selector(selector, hint):
    with pytest.raises(ConfigError) as caught:
        resolve_selectors([selector], "--select")
    assert str(caught.value) == (
        f"--select: unknown rule selector {selector!r}{hint}; "
        f"expected 'ALL', a code or code prefix such as 'RAY0', or a rule: {rule_list()}"
    )


def settings_with(directory: Path, text: str):
    write(directory / "pyproject.toml", "[tool.raylint]\n" + text)
    return load_settings(start=directory)


def test_enabled_codes_default_is_every_default_rule(tmp_path):
    assert enabled_codes(load_settings()) == DEFAULT_CODES


def test_enabled_codes_follow_ruff_precedence(tmp_path):
    settings = settings_with(tmp_path, "select = ['RAY001', 'RAY002']\nextend-select = ['RAY003']\nignore = ['RAY002']\n")
    assert enabled_codes(settings) == {"RAY001", "RAY003"}
    # --select replaces select, but config extend-select and ignore still apply
    assert enabled_codes(settings, cli_select=["RAY0"]) == {"RAY001", "RAY003", "RAY004", "RAY005"}
    assert enabled_codes(settings, cli_select=["RAY"]) == DEFAULT_CODES - {"RAY002"}
    assert enabled_codes(settings, cli_extend_select=["RAY005"], cli_ignore=["RAY001"]) == {"RAY003", "RAY005"}
    assert enabled_codes(settings, cli_select=[]) == {"RAY003"}


def test_enabled_codes_reject_unknown_cli_selectors(tmp_path):
    with pytest.raises(ConfigError, match=r"^--ignore: unknown rule selector 'NOPE'"):
        enabled_codes(load_settings(), cli_ignore=["NOPE"])


def test_preview_and_off_by_default_rules_need_their_exact_code_and_preview_mode(tmp_path, monkeypatch):
    rules = dict(registry.rule_meta())  # what selection reads (the rule classes say the same)
    rules["RAY004"] = rules["RAY004"]._replace(preview=True)
    rules["RAY005"] = rules["RAY005"]._replace(default_enabled=False)
    monkeypatch.setattr(registry, "rule_meta", lambda: rules)
    settings = load_settings()
    assert enabled_codes(settings) & CORE == {"RAY001", "RAY002", "RAY003"}
    assert enabled_codes(settings, cli_select=["ALL"]) & CORE == {"RAY001", "RAY002", "RAY003"}
    assert enabled_codes(settings, cli_select=["RAY00"]) == {"RAY001", "RAY002", "RAY003"}
    # a preview rule needs preview mode too, however exactly it is named
    assert enabled_codes(settings, cli_extend_select=["RAY004", "driver-side-loading"]) & CORE == CORE - {"RAY004"}
    assert enabled_codes(settings, cli_extend_select=["RAY004", "driver-side-loading"], preview=True) & CORE == CORE
    # `ALL` in preview mode picks the preview rules too (Ruff's behaviour), not the off-by-default ones
    assert enabled_codes(settings, cli_select=["ALL"], preview=True) & CORE == {"RAY001", "RAY002", "RAY003", "RAY004"}
    preview_on = settings_with(tmp_path, "preview = true\nextend-select = [\"RAY004\"]\n")
    assert "RAY004" in enabled_codes(preview_on)
    # ignoring by prefix still reaches them
    assert resolve_selectors(["RAY"], "ignore") == EVERY_CODE


# --- per-file-ignores ---


def test_per_file_ignores_match_relative_to_the_root(tmp_path):
    settings = settings_with(
        tmp_path,
        """
[tool.raylint.per-file-ignores]
"tests/**" = ["RAY001"]
"__init__.py" = ["RAY002"]
"scripts/*.py" = ["RAY003"]
"!src/**" = ["RAY004", "RAY005"]
""",
    )
    assert ignored_for_file(settings, tmp_path / "src" / "pkg" / "core.py") == set()
    assert ignored_for_file(settings, Path("src/pkg/__init__.py")) == {"RAY002"}
    assert ignored_for_file(settings, tmp_path / "tests" / "unit" / "test_x.py") == {"RAY001", "RAY004", "RAY005"}
    assert ignored_for_file(settings, tmp_path / "scripts" / "run.py") == {"RAY003", "RAY004", "RAY005"}
    # "scripts/*.py" is anchored at the root, like a gitignore line with a slash
    assert ignored_for_file(settings, tmp_path / "src" / "scripts" / "run.py") == set()


def test_per_file_ignores_outside_the_root_match_the_file_name(tmp_path):
    settings = settings_with(tmp_path / "project", '[tool.raylint.per-file-ignores]\n"__init__.py" = ["RAY"]\n"tests/**" = ["RAY001"]\n')
    outside = tmp_path / "elsewhere" / "tests" / "__init__.py"
    assert ignored_for_file(settings, outside) == EVERY_CODE
    assert ignored_for_file(settings, outside.with_name("test_a.py")) == set()


def test_selection_reads_the_registry_table_which_every_rule_class_agrees_with():
    classes = registry.rule_classes()
    assert {code: (rule.name, rule.default_enabled, rule.preview) for code, rule in registry.rule_meta().items()} == {
        code: (cls.name, cls.default_enabled, cls.preview) for code, cls in classes.items()}
