"""Where wordvec may write: one policy for every output file (vectors, models, checkpoints, plots).

:func:`resolve_output` decides how a path is written, :func:`check_outputs` checks a command's
outputs against its inputs and against each other before any work starts, and the atomic
writers (:mod:`wordvec.formats.atomic`) apply the same policy at the moment of writing:

* A regular file (or a new one) is replaced atomically: written to a hidden temporary file in the
  same folder, then renamed over it.
* A symbolic link is written through: the file it points to is replaced and the link stays. A
  link to nothing, or a loop, is refused (as ``cp`` refuses to write through a dangling link).
* A FIFO or a character device (``/dev/null``, ``/dev/stdout``, a terminal) is opened and written
  directly, never replaced: no temporary file, no rename. Any other kind of file (a block device,
  a socket, a directory) is refused.
* An existing file without write permission is refused, as ``cp`` refuses it, unless ``force``
  (``force=True`` in the library, ``--force`` on the command line, or :func:`forcing`). A file
  with no write permission bit at all counts as read-only even for root (``rm`` asks root too).
* An output may not be an input of the same command, nor another of its outputs. Files are compared
  by identity: the same device and inode for existing files, the same resolved path otherwise.
* Temporary files are named ``.<name>.<host>.<pid>.<random>.tmp<suffix>``. Writing a file first
  removes the temporary files of that name left by a process of this host that no longer runs (a
  save killed by SIGKILL or a power cut), and names in a warning those it cannot attribute.

Every refusal is an :class:`~wordvec.errors.OutputError` (an ``OSError``) whose one-line message
names the path and what to change.

Finished work is never lost to a failed write: :func:`write_or_rescue` runs the final writes of a
command and, when one fails (a full disk, a read-only folder, Ctrl-C), saves the trained model
instead, beside the intended output or else in the temporary folder, and says where.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
import socket
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from ..errors import OutputError, WordvecError, WorkRescued

logger = logging.getLogger(__name__)

__all__ = [
    "Output", "resolve_output", "check_outputs", "forcing", "clean_leftovers", "temp_prefix", "write_or_rescue",
    "WorkRescued",
]

_FORCE: contextvars.ContextVar[bool] = contextvars.ContextVar("wordvec_force_outputs", default=False)
_NAME_CHARS = 100  # of the target's name kept in a temporary name (NAME_MAX is 255 bytes)


@dataclass(frozen=True)
class Output:
    """How one output is written: ``target`` is the file written (a symbolic link's target);
    ``stream`` means it is opened and written in place (FIFO, character device)."""

    path: Path
    target: Path
    stream: bool


@contextlib.contextmanager
def forcing(force: bool = True) -> Iterator[None]:
    """Within this block, outputs that exist read-only are replaced unless a call says otherwise."""
    token = _FORCE.set(bool(force))
    try:
        yield
    finally:
        _FORCE.reset(token)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def resolve_output(path: str | os.PathLike, what: str = "output", force: bool | None = None) -> Output:
    """How ``path`` is written, or OutputError when the policy refuses it (see the module docstring).

    ``force=None`` takes the setting of the enclosing :func:`forcing` block (default False).
    """
    force = _FORCE.get() if force is None else force
    given = Path(path)
    if not os.fspath(path):
        raise OutputError(f"the {what} path is empty")
    target = given
    try:
        st = os.stat(given)  # follows links
    except FileNotFoundError:
        st = None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise OutputError(f"cannot write {what} '{given}': it is a symbolic link to a loop of links") from None
        raise OutputError(f"cannot write {what} '{given}': {exc.strerror or exc}") from None
    if st is not None and (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
        if not os.access(given, os.W_OK):
            raise OutputError(f"cannot write {what} '{given}': permission denied")
        return Output(given, given, stream=True)  # opened through its links (/dev/stdout -> pipe:[...])
    if given.is_symlink():
        target = Path(os.path.realpath(given))
        if st is None:
            raise OutputError(
                f"cannot write {what} '{given}': it is a symbolic link to '{target}', which does not exist"
            )
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            hint = "; give a file name" if stat.S_ISDIR(st.st_mode) else ""
            raise OutputError(f"cannot write {what} '{given}': it is {_kind(st.st_mode)}{hint}")
        if not force and (not st.st_mode & 0o222 or not os.access(target, os.W_OK)):
            raise OutputError(
                f"cannot overwrite {what} '{given}': the file is read-only (--force or force=True replaces it)"
            )
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {what} '{given}': folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {what} '{given}': folder '{folder}' is not writable")
    return Output(given, target, stream=False)


def _identity(path: str | os.PathLike) -> tuple | None:
    """(device, inode) of an existing file, else its resolved path; None for a character device
    (writing /dev/null twice is harmless)."""
    try:
        st = os.stat(path)
    except OSError:
        return ("path", os.fspath(Path(path).resolve()))
    if stat.S_ISCHR(st.st_mode):
        return None
    return ("inode", st.st_dev, st.st_ino)


def check_outputs(
    outputs: Mapping[str, str | os.PathLike | None],
    inputs: Mapping[str, str | os.PathLike | None] | None = None,
    force: bool | None = None,
) -> dict[str, Output]:
    """Check a command's outputs before it does any work: each must be writable under the policy,
    none may be one of ``inputs`` or another output. Keys are the names used in messages
    (``"output"``, ``"checkpoint"``, ``"corpus"``...); None values and the path '-' (standard
    input) are skipped. Returns the :class:`Output` of each output given."""
    resolved: dict[str, Output] = {}
    seen: dict[tuple, tuple[str, str]] = {}
    for label, path in (inputs or {}).items():
        if path is None or os.fspath(path) == "-":
            continue
        ident = _identity(path)
        if ident is not None:
            seen.setdefault(ident, (label, os.fspath(path)))
    n_inputs = len(seen)
    for label, path in outputs.items():
        if path is None:
            continue
        resolved[label] = resolve_output(path, label, force)
        ident = _identity(path)
        if ident is None:
            continue
        if ident in seen:
            other, other_path = seen[ident]
            is_input = list(seen).index(ident) < n_inputs
            if is_input:
                raise OutputError(
                    f"the {label} '{os.fspath(path)}' is the {other} '{other_path}': writing it would destroy the "
                    f"{other}; choose another {label} file"
                )
            raise OutputError(
                f"the {label} '{os.fspath(path)}' and the {other} '{other_path}' are the same file; give them "
                "different names"
            )
        seen[ident] = (label, os.fspath(path))
    return resolved


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


def temp_prefix(target: Path) -> str:
    """The start of this process's temporary names for ``target``: ``.<name>.<host>.<pid>.``"""
    return f".{target.name[:_NAME_CHARS]}.{_host()}.{os.getpid()}."


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or no permission to ask
        return True
    return True


def clean_leftovers(target: Path) -> list[Path]:
    """Remove the temporary files of ``target`` left by dead processes of this host; warn about
    other leftovers that look like ours (another host's, or an older wordvec's). Returns the
    paths removed."""
    folder = target.parent if str(target.parent) else Path(".")
    name = re.escape(target.name[:_NAME_CHARS])
    suffix = re.escape(target.suffix)
    ours = re.compile(rf"\.{name}\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[a-z0-9_]+\.tmp{suffix}")
    older = re.compile(rf"\.{re.escape(target.stem)}\.[a-z0-9_]{{8}}\.tmp{suffix}")
    removed: list[Path] = []
    unknown: list[str] = []
    host = _host()
    try:
        entries = [e.name for e in os.scandir(folder) if e.name.startswith(".")]
    except OSError:
        return removed
    for entry in entries:
        m = ours.fullmatch(entry)
        if m and m.group("host") == host and not _alive(int(m.group("pid"))):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / entry)
                removed.append(folder / entry)
        elif (m and m.group("host") != host) or older.fullmatch(entry):
            unknown.append(entry)
    if removed:
        logger.warning("removed %d temporary file(s) of an interrupted save of '%s': %s", len(removed), target,
                       ", ".join(p.name for p in removed))
    if unknown:
        logger.warning("'%s' holds temporary file(s) of an earlier save of '%s' that may still be running "
                       "elsewhere; delete them if not: %s", folder, target.name, ", ".join(sorted(unknown)))
    return removed


def write_or_rescue(write: Callable[[], Any], rescue: Callable[[Path], Any], rescue_path: str | os.PathLike,
                    what: str) -> None:
    """Run ``write()``; if it fails with an OSError, a WordvecError or KeyboardInterrupt, call
    ``rescue(path)`` with ``rescue_path``, or with the same name in the temporary folder if that
    fails too, and raise :class:`WorkRescued` saying what failed and where the work is.
    ``what`` names the write in the message ("writing the vectors to 'v.txt'")."""
    try:
        write()
        return
    except (OSError, WordvecError, KeyboardInterrupt) as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        if interrupted:
            cause = "interrupted"
        elif isinstance(exc, OSError) and not isinstance(exc, WordvecError) and exc.strerror:
            cause = exc.strerror
        else:
            cause = " ".join(str(exc).split())
        failures = []
        for place in (Path(rescue_path), Path(tempfile.gettempdir()) / Path(rescue_path).name):
            try:
                rescue(place)
            except (OSError, WordvecError) as again:
                reason = again.strerror if isinstance(again, OSError) and again.strerror else str(again)
                failures.append(f"'{place}': {' '.join(reason.split())}")
                continue
            raise WorkRescued(f"{what} failed ({cause}); the trained model was saved to '{place}'", place,
                              interrupted) from exc
        raise WorkRescued(f"{what} failed ({cause}) and the trained model could not be saved either "
                          f"({'; '.join(failures)})", None, interrupted) from exc
