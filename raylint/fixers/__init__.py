"""One rewrite per rule, built with libcst so untouched code keeps its formatting. Rules import their
fixer; fixers never import rules. Shared pieces: base (edits, parsing), rewrite (insertions, names) and
safety (what makes a fix unsafe, see docs/fix-safety.md)."""
