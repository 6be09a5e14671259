"""Files only their owner may read (secrets, passwords), private from their first byte.

Each is written to a draft created 0600 and exclusively (``O_EXCL``, never
write-then-chmod), flushed to disk, then moved into place in one step, so no
reader ever sees a readable or half-written file.
"""

import os
import secrets
from pathlib import Path

PRIVATE = 0o600


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in a file only its owner can read."""
    draft = _draft(path, text)
    try:
        os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)


def create_private(path: Path, text: str) -> None:
    """Put ``text`` at ``path`` in a file only its owner can read, unless a file is there.

    The draft is hard-linked into place, which is atomic: of two processes creating the
    same file at once, one text wins and both read it.
    """
    draft = _draft(path, text)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process's file is in place: theirs is the one
    finally:
        draft.unlink()


def _draft(path: Path, text: str) -> Path:
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    return draft
