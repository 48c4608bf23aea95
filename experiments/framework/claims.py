"""Claims: sentences a page shows, with their numbers computed from the result on screen.

A page never types a number or a comparison. An experiment's `claims(frame, params)`
returns `Claim`s: the sentence with numbers filled in from the frame, and `holds`, whether
the data support its comparative part ("the widest model beats the best classical one").
Pages show only claims that hold (and say so plainly when one does not); the claims test
runs every experiment's claims on its shipped data and fails when a future precompute
stops supporting a sentence.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    """One measured statement.

    key: stable name the tests use; text: the sentence shown (plain Markdown written by
    us, numbers from data); holds: whether the data support it; regime: the setting in
    which it holds (e.g. "50% of pairs, weight decay 0"), shown beside the sentence.
    """

    key: str
    text: str
    holds: bool
    regime: str = ""


def by_key(claims: list[Claim]) -> dict[str, Claim]:
    return {c.key: c for c in claims}


def no_claims(frame, params) -> list[Claim]:
    return []
