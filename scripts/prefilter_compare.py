"""Does a change to the prefilter keep its answers? Runs this checkout's prefilter and a reference checkout's
over every Python file under a directory and compares, file by file, the rules that may report and whether the
file defines remote functions.

    python scripts/prefilter_compare.py --reference /work/main [DIRECTORY]   # default: Ray's own source

Each side runs in its own interpreter, from its checkout and with it first on PYTHONPATH. Exit status 1 when
they differ.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# run in the child: print {relative path: [sorted codes, defines remote functions]} as JSON
_CHILD = """
import json, os, sys
from raylint import prefilter
codes = frozenset(prefilter.RULE_WORDS)  # the rules it judges: any other always runs
answers = {}
for folder, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".py"):
            path = os.path.join(folder, name)
            try:
                source = open(path, encoding="utf-8").read()
            except (OSError, UnicodeDecodeError):
                continue
            may, defines = prefilter.rules_that_may_report(source, codes)
            answers[os.path.relpath(path, sys.argv[1])] = [sorted(may), defines]
print(json.dumps(answers))
"""


def answers(checkout: Path, directory: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    env.pop("RAYLINT_NO_PREFILTER", None)
    # run from the checkout: `python -c` puts the working directory first on sys.path
    done = subprocess.run([sys.executable, "-c", _CHILD, os.path.abspath(directory)], cwd=checkout, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", required=True, type=Path, help="checkout whose prefilter is the reference")
    parser.add_argument("directory", nargs="?", help="default: the installed ray package")
    args = parser.parse_args()
    directory = args.directory
    if directory is None:
        spec = importlib.util.find_spec("ray")
        if spec is None or not spec.submodule_search_locations:
            parser.error("ray is not installed: name a directory")
        directory = list(spec.submodule_search_locations)[0]
    reference, current = answers(args.reference.resolve(), directory), answers(ROOT, directory)
    differing = sorted(path for path in reference.keys() | current.keys() if reference.get(path) != current.get(path))
    for path in differing:
        print(f"{path}: reference {reference.get(path)}, this checkout {current.get(path)}")
    passing = sum(1 for may, defines in current.values() if may or defines)
    print(f"{len(current)} files, {passing} pass the filter; {len(differing)} differ from {args.reference}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
