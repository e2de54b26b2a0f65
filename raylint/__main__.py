from raylint.cli import entry

entry()
