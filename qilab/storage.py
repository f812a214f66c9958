"""Safe saving of learners' and trainers' files.

Every file qilab writes for a person goes through here: written to a temporary file in the same
folder, flushed to disk, then renamed over the old one. A kernel that dies mid-save leaves
either the old file or the new one, never half of each. JSON documents carry a schema name and
version so that later versions of qilab can read them.
"""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from .errors import QIDataError


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that the file is never left half written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_append_text(path: str | os.PathLike, text: str) -> Path:
    """Append ``text`` to ``path`` by rewriting it atomically (for small registers and logs)."""
    path = Path(path)
    old = path.read_bytes() if path.exists() else b""
    return atomic_write_bytes(path, old + text.encode("utf-8"))


def write_document(path: str | os.PathLike, schema: str, version: int, body: dict[str, Any]) -> Path:
    """Save a JSON document with its schema name, version and the time it was saved.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "log.json"
    >>> _ = write_document(p, "qilab.example", 1, {"items": [1, 2]})
    >>> read_document(p, "qilab.example", 1)["items"]
    [1, 2]
    """
    doc = {"schema": schema, "schema_version": version,
           "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **body}
    return atomic_write_text(path, json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")


def read_document(path: str | os.PathLike, schema: str, max_version: int) -> dict[str, Any]:
    """Read a document written by :func:`write_document`, checking its schema and version.

    Raises :class:`QIDataError` naming the file and what is wrong when it is not valid JSON, is
    another kind of document, or was written by a newer qilab.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QIDataError(f"File {path} is damaged and cannot be read as JSON ({exc}).",
                          field=str(path)) from exc
    if not isinstance(doc, dict) or doc.get("schema") != schema:
        raise QIDataError(f"File {path} is not a {schema} file (its 'schema' field is "
                          f"{doc.get('schema') if isinstance(doc, dict) else None!r}).", field="schema")
    version = doc.get("schema_version")
    if not isinstance(version, int) or version > max_version:
        raise QIDataError(f"File {path} has schema_version {version!r}; this qilab reads up to "
                          f"{max_version}. Update qilab to open it.", field="schema_version")
    return doc


def load_model(path: str | os.PathLike, schema: str, max_version: int,
               build: Callable[[dict[str, Any]], Any], what: str) -> Any:
    """Read a document (:func:`read_document`) and ``build`` a model from it.

    A missing file, and any :class:`QIDataError` from ``build``, are errors naming the file;
    ``what`` names the kind of file (``"charter"``) in the message and as the error's field.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.json"
    >>> _ = write_document(p, "qilab.example", 1, {"n": 2})
    >>> load_model(p, "qilab.example", 1, lambda doc: doc["n"] * 10, "example")
    20
    """
    path = Path(path)
    if not path.exists():
        raise QIDataError(f"There is no {what} file {path}.", field=what.replace(" ", "_"))
    doc = read_document(path, schema, max_version)
    try:
        return build(doc)
    except QIDataError as exc:
        raise QIDataError(f"{path}: {exc}", row=exc.row, column=exc.column,
                          field=exc.field) from None


def set_aside(path: str | os.PathLike) -> Path:
    """Rename a damaged file to ``<name>.corrupt-<timestamp>`` so nothing is overwritten."""
    path = Path(path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, backup)
    return backup


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
