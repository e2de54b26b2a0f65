"""Results cached by file content, configuration and raylint version, in `.raylint_cache/`.

A file's findings can also depend on other files (remote functions it imports), so an entry keeps
the project-index answers it relied on; it is reused only while those answers are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

from raylint import __version__

_FORMAT = 1


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def settings_key(*parts) -> str:
    return hashlib.blake2b(repr((__version__, _FORMAT, code_key()) + parts).encode(), digest_size=12).hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """A digest of raylint's own source: results from another build of raylint (an edited checkout, a
    development install) are never reused, even under the same version number."""
    digest = hashlib.blake2b(digest_size=12)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class ResultCache:
    """path -> (content key, FileResult, index fingerprint), one pickle per configuration."""

    def __init__(self, directory: Path, key: str):
        self.path = Path(directory) / __version__ / f"{key}.pickle"
        self.entries: Dict[str, Tuple[str, object]] = {}
        self.dirty = False
        try:
            with open(self.path, "rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            self.entries = {}

    def get(self, path: str, content: str) -> Optional[object]:
        entry = self.entries.get(path)
        if entry is not None and entry[0] == content:
            return entry[1]
        return None

    def put(self, path: str, content: str, result: object) -> None:
        self.entries[path] = (content, result)
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written is not an error, just slower next time."""
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.path.parent.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Automatically created by raylint.\n*\n")
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".pickle")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self.entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            return
