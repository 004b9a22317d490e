#!/usr/bin/env python3
"""Check a downloaded copy of the register's history, without the register's code.

    python3 verify_history.py revisions.json [--head HEX]
    python3 verify_history.py revisions.csv  [--head HEX]

The file is the register's revisions table from its open-data page (/data/revisions.json
or /data/revisions.csv). Every revision carries three SHA-256 hashes (hex):

  content_hash   of the revision as canonical JSON: the object with the keys meeting_id,
                 number, action, created_at, reason, before and after, written with its
                 keys sorted, no whitespace, non-ASCII characters as they are, in UTF-8
  previous_hash  the chain hash of the revision made before it in the whole register
                 (64 zeros for the first)
  chain_hash     of previous_hash followed by content_hash, both as hex text

The script recomputes the content hash of every revision whose content is public, checks
every link, and follows the chain from the first revision to the last. A withdrawn or
withheld record's revisions no longer show their content (before and after are empty),
so for them only the links are checked. With --head, the chain must end at that hash,
e.g. the chain head shown on the register's data page or one noted down earlier.

Prints "OK" with the number of revisions and the chain head and exits 0; otherwise
prints the first broken link and exits 1 (2 when the file cannot be read).

Only Python 3's standard library is needed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys

GENESIS = "0" * 64
HASHED_FIELDS = ("meeting_id", "number", "action", "created_at", "reason", "before", "after")
# A CSV cell that a spreadsheet could run as a formula begins with a ' in the download.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


class Broken(Exception):
    """The first place where the file's history does not hold together."""


def content_hash(revision: dict) -> str:
    document = {field: revision[field] for field in HASHED_FIELDS}
    document["reason"] = document["reason"] or ""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link(previous: str, content: str) -> str:
    return hashlib.sha256((previous + content).encode("ascii")).hexdigest()


def read_revisions(path: str) -> list[dict]:
    """The revisions of a revisions.json or revisions.csv file."""
    if path.lower().endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            return [_from_csv(row) for row in csv.DictReader(handle)]
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["revisions"]


def _from_csv(row: dict) -> dict:
    """A CSV row with the values the JSON file has: numbers, objects, empty as null."""
    revision = {}
    for name, cell in row.items():
        if cell[:1] == "'" and cell[1:2] in FORMULA_TRIGGERS:
            cell = cell[1:]  # the download's guard against formulas, not the data
        revision[name] = cell
    for name in ("meeting_id", "number"):
        revision[name] = int(revision[name])
    for name in ("before", "after"):
        revision[name] = json.loads(revision[name]) if revision[name] else None
    return revision


def describe(revision: dict) -> str:
    return f"record {revision['meeting_id']}, revision {revision['number']}"


def verify(revisions: list[dict], expected_head: str | None = None) -> tuple[int, int, str]:
    """Follow the chain from its start; return (revisions, checked by content, head)."""
    following: dict[str, dict] = {}
    for revision in revisions:
        earlier = following.setdefault(revision["previous_hash"], revision)
        if earlier is not revision:
            raise Broken(
                f"{describe(earlier)} and {describe(revision)} both follow "
                f"{revision['previous_hash']}: the chain forks"
            )
    head, count, by_content = GENESIS, 0, 0
    while head in following:
        revision = following.pop(head)
        count += 1
        if revision["before"] is not None or revision["after"] is not None:
            recomputed = content_hash(revision)
            if recomputed != revision["content_hash"]:
                raise Broken(
                    f"{describe(revision)}: its content does not match its content_hash "
                    f"{revision['content_hash']} (recomputed: {recomputed})"
                )
            by_content += 1
        if link(head, revision["content_hash"]) != revision["chain_hash"]:
            raise Broken(
                f"{describe(revision)}: its chain_hash {revision['chain_hash']} does not "
                f"follow from the previous link {head} and its content_hash"
            )
        head = revision["chain_hash"]
    if following:
        # The chain stopped short: the first revision left over follows a link no
        # revision in the file has (one was deleted or changed).
        stranded = min(following.values(), key=lambda r: (r["created_at"], r["meeting_id"]))
        raise Broken(
            f"{describe(stranded)}: it follows {stranded['previous_hash']}, which no revision "
            f"in the file has; the chain ends at {head} after {count} revisions"
        )
    if expected_head is not None and head != expected_head.strip().lower():
        raise Broken(f"the chain ends at {head}, not at the expected head {expected_head}")
    return count, by_content, head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="revisions.json or revisions.csv from the data page")
    parser.add_argument("--head", help="the chain head the history must end at")
    options = parser.parse_args(argv)
    try:
        revisions = read_revisions(options.file)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"Cannot read {options.file}: {error}", file=sys.stderr)
        return 2
    try:
        count, by_content, head = verify(revisions, options.head)
    except KeyError as error:
        print(f"Cannot read {options.file}: a revision has no {error}", file=sys.stderr)
        return 2
    except Broken as error:
        print(f"BROKEN: {error}", file=sys.stderr)
        return 1
    print(
        f"OK: {count} revisions, chain head {head} "
        f"({by_content} checked by content, {count - by_content} by their links only)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
