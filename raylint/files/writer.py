"""Writing fixed files atomically: a temporary file in the same directory, then an atomic replace,
keeping the file's encoding, BOM, line endings (already in the text) and permissions."""

from __future__ import annotations

import codecs
import os
import stat
import tokenize
from io import BytesIO


class WriteError(Exception):
    """A file that cannot be written; the original is left untouched."""


def encoding_of(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding == "utf-8-sig" else encoding


def write_fixed(path: str, text: str, original: bytes) -> None:
    """Replace `path` with `text`, encoded like `original` was; never leaves a half-written file."""
    info = _writable(path)
    encoding = encoding_of(original)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as error:
        raise WriteError(f"{path}: fixed text cannot be encoded as {encoding}: {error.reason}") from None
    if original.startswith(codecs.BOM_UTF8) and not data.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data
    _replace(path, data, info)


def write_notebook(path: str, data: bytes) -> None:
    """Replace the notebook `path` with `data`, its JSON already encoded (notebooks are always UTF-8, so no
    coding cookie applies); atomic like `write_fixed`."""
    _replace(path, data, _writable(path))


def _writable(path: str) -> os.stat_result:
    try:
        info = os.stat(path)
    except OSError as error:
        raise WriteError(f"{path}: {error.strerror or error}") from None
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        # checked explicitly: as root, the replace below would otherwise succeed on a read-only file
        raise WriteError(f"{path}: file is read-only, not fixed")
    return info


def _replace(path: str, data: bytes, info: os.stat_result) -> None:
    """Write `data` to a temporary file beside `path`, with its permissions and owner, then swap it in."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        import tempfile  # only a run that writes pays for it

        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".raylint")
    except OSError as error:
        raise WriteError(f"{path}: cannot create a temporary file: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown"):
            try:
                os.chown(temporary, info.st_uid, info.st_gid)
            except OSError:
                pass
        os.replace(temporary, path)
    except BaseException as error:
        # also on an interrupt: the file is either the original or fully fixed, and no temporary is left
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise WriteError(f"{path}: {error.strerror or error}") from None
        raise
