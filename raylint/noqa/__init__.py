"""Suppression comments: finding them (comment_scan), parsing `# noqa` and `# raylint: noqa` directives
(directives), warning on malformed ones (malformed), judging unused ones (unused, RAY900), and editing them
(edit, add for `--add-noqa`)."""
