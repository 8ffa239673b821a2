"""The ``wordvec`` command: train, evaluate, query, convert and plot word vectors; the CS224N SST experiment.

Each subcommand is a module of this package with ``add_parser(subparsers)`` and ``run(args)``
(see :mod:`wordvec.cli.common`); :data:`COMMANDS` lists them in the order ``--help`` shows.
Training flags are named after word2vec.c's where it has one (``--size``/``--dim``,
``--iter``/``--epochs``, ``--cbow``, ``--hs``, ...).

A user's mistake (a missing or malformed file, an unknown word, a bad parameter) prints one line
``wordvec: error: ...`` on stderr and exits with status 1 (2 for command-line usage errors);
Ctrl-C exits with status 130 and SIGTERM with 143 (``train`` first writes a checkpoint that
``train --resume`` continues). No traceback is shown for these; the library's warnings print as
``wordvec: warning: ...``.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Callable, Sequence

from .. import __version__
from ..errors import WordvecError
from ..formats.outputs import forcing
from ..memory import memory_error_line
from ..messages import warnings_as_lines
from . import analogy, convert, eval as eval_command, glove, phrases, plot, print_word_vectors, query, similar, sst, train
from .common import (
    EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, PROG, Parser, UsageError, WarningLines, error_message, one_line, warn,
)

#: The command modules, in the order ``wordvec --help`` lists them.
COMMANDS = (train, eval_command, query, similar, analogy, print_word_vectors, convert, plot, phrases, glove, sst)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``wordvec`` command."""
    parser = Parser(prog=PROG, description="Train, evaluate, query, convert and plot word vectors (word2vec).")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``wordvec`` command line; returns the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # argparse leaves a command's trailing positionals after options unmatched (nargs='*')
        trailing = getattr(args, "trailing_positionals", None)
        options = [e for e in extra if e.startswith("-") and e != "-"]
        if trailing is None or options:
            parser.error(f"unrecognized arguments: {' '.join(options or extra)}")
        setattr(args, trailing, getattr(args, trailing) + extra)
    func: Callable[[argparse.Namespace], int] = args.func
    library_log = logging.getLogger("wordvec")
    warnings = WarningLines()
    library_log.addHandler(warnings)
    try:
        with forcing(getattr(args, "force", False)), warnings_as_lines(warn):
            return func(args)
    except UsageError as exc:
        print(f"{PROG}: error: {one_line(str(exc))} (see '{PROG} {args.command} --help')", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MemoryError as exc:
        print(f"{PROG}: error: {memory_error_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. `wordvec similar ... | head -1`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except (WordvecError, OSError, KeyError, ValueError) as exc:
        print(f"{PROG}: error: {error_message(exc)}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        library_log.removeHandler(warnings)
