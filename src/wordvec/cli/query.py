"""``wordvec query``: load a vector file once, then answer queries read one per line from standard
input (interactively on a terminal, or in batch from a pipe), like word2vec.c's ``distance`` and
``word-analogy`` and fastText's ``nn`` and ``analogies``.

A query line is one of (words separated by spaces; ``+`` and ``-`` stand alone):

* ``WORD``: its nearest neighbours by cosine similarity;
* ``A B``: the cosine similarity of the pair;
* ``A B C``: the analogy "A is to B as C is to ?" (3CosAdd: the words nearest to B - A + C);
* ``king - man + woman``: the words nearest to that sum of unit vectors (the words in it excluded).

Empty lines and lines starting with ``#`` are skipped.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .common import (EXIT_ERROR, PROG, add_vectors_arguments, error_message, load_vectors, note, one_line, positive_int,
                     require_words)

SYNTAX = "WORD (neighbours), A B (similarity), A B C (analogy: A is to B as C is to ?) or king - man + woman"


@dataclass
class Query:
    """A parsed query line: ``kind`` is 'neighbours', 'similarity' or 'analogy'."""

    text: str
    kind: str
    positive: list[str] = field(default_factory=list)
    negative: list[str] = field(default_factory=list)


def parse_query(line: str) -> Query | None:
    """The :class:`Query` a line asks (None for an empty or ``#`` line); ValueError when malformed."""
    text = one_line(line)
    tokens = text.split()
    if not tokens or tokens[0].startswith("#"):
        return None
    if "+" in tokens or "-" in tokens:
        positive: list[str] = []
        negative: list[str] = []
        sign = None
        for i, tok in enumerate(tokens):
            if tok in ("+", "-"):
                if sign is not None:
                    raise ValueError(f"{text!r}: two operators in a row; expected {SYNTAX}")
                sign = tok
                continue
            if sign is None and i > 0:
                raise ValueError(f"{text!r}: words must be joined by '+' or '-'; expected {SYNTAX}")
            (negative if sign == "-" else positive).append(tok)
            sign = None
        if sign is not None:
            raise ValueError(f"{text!r}: ends with an operator; expected {SYNTAX}")
        return Query(text, "neighbours", positive, negative)
    if len(tokens) == 1:
        return Query(text, "neighbours", tokens)
    if len(tokens) == 2:
        return Query(text, "similarity", tokens)
    if len(tokens) == 3:
        a, b, c = tokens
        return Query(text, "analogy", [b, c], [a])
    raise ValueError(f"{text!r}: {len(tokens)} words; expected {SYNTAX}")


def answer(kv: Any, query: Query, topn: int) -> dict[str, Any]:
    """The answer to ``query`` as plain data: ``{"query", "kind", "similarity"}`` for a pair,
    ``{"query", "kind", "neighbours": [[word, cosine], ...]}`` otherwise. A word without a
    usable vector raises UnknownWordError (a KeyError; see :func:`.common.require_words`)."""
    require_words(kv, query.positive + query.negative)
    result: dict[str, Any] = {"query": query.text, "kind": query.kind}
    if query.kind == "similarity":
        result["similarity"] = float(kv.similarity(*query.positive))
    else:
        found = kv.most_similar(positive=query.positive, negative=query.negative, topn=topn)
        result["neighbours"] = [[w, float(s)] for w, s in found]
    return result


def format_neighbours(results: Sequence[Sequence[Any]]) -> str:
    """Ranked ``word  cosine`` lines, the words aligned."""
    width = max([len(w) for w, _ in results] + [4])
    return "\n".join(f"{rank:>3}  {word:<{width}}  {sim:.4f}" for rank, (word, sim) in enumerate(results, 1))


def format_answer(result: dict[str, Any]) -> str:
    if result["kind"] == "similarity":
        a, b = result["query"].split()
        return f"similarity({a}, {b}) = {result['similarity']:.4f}"
    head = result["query"]
    if result["kind"] == "analogy":
        a, b, c = head.split()
        head = f"{a} : {b} :: {c} : ?"
    return f"{head}\n{format_neighbours(result['neighbours'])}"


def _lines(queries: Sequence[str], interactive: bool) -> Iterable[str]:
    if queries:
        yield from queries
        return
    if not interactive:
        yield from sys.stdin
        return
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    while True:
        try:
            yield input("query> ")
        except EOFError:
            print(file=sys.stderr)
            return


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "query", help="answer neighbour, analogy and similarity queries (stdin or arguments)",
        description="Load VECTORS once and answer queries, one per line from standard input (a "
        "prompt on a terminal; batch from a pipe) or the QUERY arguments. A query is " + SYNTAX + ".",
    )
    add_vectors_arguments(p)
    p.add_argument("queries", metavar="QUERY", nargs="*", help="queries to answer instead of reading standard input (a query of several words in quotes)")
    p.add_argument("-n", type=positive_int, default=10, help="neighbours per query (default %(default)s)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per query (JSON Lines; unknown words give {\"error\": ...})")
    p.set_defaults(func=run, trailing_positionals="queries")
    return p


def run(args: argparse.Namespace) -> int:
    interactive = not args.queries and sys.stdin.isatty()
    kv = load_vectors(args.vectors, args.format, args.limit)
    if interactive:
        note(f"{len(kv):,} words x {kv.vector_size} dimensions from {args.vectors}; a query is {SYNTAX}; "
             "Ctrl-D ends")
    failed = 0
    for line in _lines(args.queries, interactive):
        try:
            query = parse_query(line)
            if query is None:
                continue
            result = answer(kv, query, args.n)
        except (KeyError, ValueError) as exc:
            failed += 1
            message = error_message(exc)
            if args.json:
                print(json.dumps({"query": one_line(line), "error": message}, ensure_ascii=False), flush=True)
            print(f"{PROG}: {message}", file=sys.stderr, flush=True)
            continue
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
        else:
            print(format_answer(result) + ("" if result["kind"] == "similarity" else "\n"), flush=True)
    return EXIT_ERROR if failed and not interactive else 0
