from __future__ import annotations

from raylint.rules.base import Rule


class UnusedNoqa(Rule):
    """
    ## What it does
    Checks for `# noqa` directives naming a raylint rule that reports nothing on that line, such as a
    `# noqa: RAY001` left behind after the `ray.get` in a loop was fixed. Only codes of rules enabled in
    this run are judged: a `# noqa: RAY003` while RAY003 is not selected is not reported, and codes of other
    tools sharing the comment (`# noqa: F401, RAY001`) never are. A blanket `# noqa` is not reported either,
    since it may be there for another linter. Off by default; enable it with `--extend-select RAY900` or
    `extend-select = ["RAY900"]`.

    The finding is computed by the engine (`raylint/noqa/unused.py`), after every rule ran and before
    suppressions apply, because only then is it known which findings each directive silenced.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line: when someone writes a `ray.get` inside
    that loop again, raylint stays silent. Dead directives also make it look as if the code still had the
    anti-pattern, and they pile up after `raylint check --add-noqa` as the findings get fixed.

    ## Example
    ```python
    import ray

    refs = [square.remote(i) for i in range(100)]
    values = ray.get(refs)  # noqa: RAY001
    ```

    ## Use instead
    ```python
    import ray

    refs = [square.remote(i) for i in range(100)]
    values = ray.get(refs)
    ```

    ## Fix safety
    Safe and unsafe mean what [Fix safety](../fix-safety.md) defines for every rule: a fix is safe only
    when the analysis sees everything that could change the outcome.

    The fix is **safe**: it only edits a comment. It removes the unused codes and keeps the others
    (`# noqa: F401, RAY001` becomes `# noqa: F401`); when no code is left it removes the directive,
    keeping a comment after it (`# noqa: RAY001  # type: ignore` becomes `# type: ignore`) or the
    reason as a comment (`# noqa: RAY001 legacy` becomes `# legacy`), and removes the line when the
    directive was all there was on it.

    ## Options
    None.

    ## References
    - [Ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
    - [Ruff: error suppression](https://docs.astral.sh/ruff/linter/#error-suppression)
    """

    code = "RAY900"
    name = "unused-noqa"
    summary = "A `# noqa` code that silences nothing"
    default_enabled = False
    fix_availability = "Always"

    def run(self) -> None:
        """Nothing to do per rule: the engine judges the directives once all findings are known."""


RULE = UnusedNoqa
