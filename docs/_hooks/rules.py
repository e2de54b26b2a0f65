"""mkdocs hook: the Rules section of the nav and the rules table on the index page come from the registry,
so a new rule needs no edit to mkdocs.yml (its page comes from `python -m raylint.rule_docs docs/rules`)."""

from __future__ import annotations

from raylint.registry import all_rules

RULES_SECTION = "Rules"
RULES_TABLE_MARKER = "<!-- rules-table -->"


def on_config(config):
    pages = [{f"{code} {info.name}": f"rules/{code}.md"} for code, info in all_rules().items()]
    for entry in config["nav"]:
        if isinstance(entry, dict) and RULES_SECTION in entry:
            entry[RULES_SECTION] = pages
    return config


def on_page_markdown(markdown, page, config, files):
    if RULES_TABLE_MARKER not in markdown:
        return markdown
    rows = ["| code | name | what it flags | fix | default |", "|---|---|---|---|---|"]
    for code, info in all_rules().items():
        default = "preview" if info.preview else ("on" if info.default_enabled else "off")
        summary = info.summary.replace("|", "\\|")
        rows.append(f"| [{code}](rules/{code}.md) | {info.name} | {summary} | {info.fix_availability.lower()} | {default} |")
    return markdown.replace(RULES_TABLE_MARKER, "\n".join(rows))
