"""Reading and writing the files a user names, bounded and without ever destroying them.

Reading (`read_capped`): only a regular file is read, and never more than its cap plus one
byte, so a FIFO, `/dev/zero` or a symlink to either cannot hang or exhaust the run.

Writing (`write_text`) depends on what the path is now (README "Guarantees"):

- a regular file, or nothing yet: written atomically (a temporary file in the same
  directory, renamed over the target), so a reader never sees half a report;
- a symlink: followed to its final target, which is written by these same rules; the
  link itself stays a link;
- a character device (`/dev/null`, a terminal) or a FIFO with a reader: written through,
  as the shell's `>` would, never replaced by a regular file; a FIFO that nobody reads is
  refused instead of blocking the run;
- a directory, a block device, a socket, a symlink loop: refused.

Every refusal is an OutputError with a one-line message.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class OutputError(OSError):
    """The output cannot be written; the message says why, in one line."""


class InputError(OSError):
    """The input is not a regular file, or is larger than its cap; the message says which."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # the message without the path: "a FIFO, not a regular file"


def read_capped(path: Path, cap: int) -> bytes:
    """The bytes of a regular file of at most `cap` bytes.

    IsADirectoryError for a directory, InputError for anything else that is not a regular
    file or is too large, other OSErrors (missing, permission) as raised.
    """
    # O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            reason = f"{_describe(mode)}, not a regular file"
            raise InputError(f"{path} is {reason}", reason)
        chunks: list[bytes] = []
        # one byte past the cap tells "too large" from "exactly the cap"; a file already
        # larger is not read at all (its size may still grow while it is read: hence both)
        left = cap + 1 if info.st_size <= cap else 0
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:
        reason = f"larger than the limit of {cap} bytes"
        raise InputError(f"{path} is {reason}", reason)
    return b"".join(chunks)


def not_regular(path: Path) -> str | None:
    """Why `path` (followed if a link) is not a regular file to read, or None when it is.

    None also when it cannot be looked at (missing, no permission): reading says why.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return None if stat.S_ISREG(mode) else f"{_describe(mode)}, not a regular file"


def check(path: Path) -> Path:
    """The path that will be written (a symlink's target); OutputError if it never could be.

    Called before the run starts, so a bad output costs nothing; `write_text` checks again.
    """
    target = _target(path)
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is not None and not (stat.S_ISREG(mode) or _through(mode)):
        raise OutputError(_refused(path, mode))
    parent = target.parent
    if mode is None and not parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {parent} does not exist")
    if mode is not None and stat.S_ISREG(mode) and not os.access(target, os.W_OK):
        raise OutputError(f"cannot write {path}: permission denied")
    # A regular file is replaced by a rename: its directory must be writable too.
    if (mode is None or stat.S_ISREG(mode)) and not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write {path}: directory {parent} is not writable")
    return target


def write_text(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to `path` by the rules in the module docstring."""
    # Lone surrogates (a file name that is not UTF-8) become \\udcxx escapes, not a crash.
    data = text.encode("utf-8", errors="backslashreplace")
    target = _target(path)
    try:
        mode: int | None = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is None or stat.S_ISREG(mode):
        _atomic(path, target, data, mode)
    elif _through(mode):
        _through_write(path, target, data)
    else:
        raise OutputError(_refused(path, mode))


def _target(path: Path) -> Path:
    """The path itself, or the final target of a symlink (which may not exist yet)."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops at a loop without saying so
        raise OutputError(f"cannot write {path}: symlink loop")
    return target


def _through(mode: int) -> bool:
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _refused(path: Path, mode: int) -> str:
    if stat.S_ISDIR(mode):
        return f"{path} is a directory; give a file name"
    return f"{path} is {_describe(mode)}; give a file name (or - for stdout)"


def _describe(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _atomic(path: Path, target: Path, data: bytes, mode: int | None) -> None:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # O_EXCL: never write through something planted under the temporary name
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            if mode is not None:
                os.fchmod(fd, stat.S_IMODE(mode))  # a replaced file keeps its permissions
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _through_write(path: Path, target: Path, data: bytes) -> None:
    # O_NONBLOCK: opening a FIFO that nobody reads fails (ENXIO) instead of blocking.
    try:
        fd = os.open(target, os.O_WRONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(f"cannot write {path}: a FIFO that nobody is reading") from None
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        if not _through(os.fstat(fd).st_mode):  # swapped for something else since the check
            raise OutputError(f"cannot write {path}: it changed while being opened")
        if _NONBLOCK:
            os.set_blocking(fd, True)  # the reader sets the pace from here on
        _write_all(fd, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
