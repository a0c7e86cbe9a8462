"""Named peer sets ("my institution" and "my peers"), kept in a JSON file beside the warehouse."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from warehouse.infra.files import write_atomic
from warehouse.infra.paths import DataPaths

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")


class PeerSetError(ValueError):
    """A peer set that cannot be saved or read; the message names the set, the file or the id."""


@dataclass(frozen=True)
class PeerSet:
    """An institution and the peers it is compared with."""

    name: str
    institution_id: str
    peers: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        """The institution and its peers: the set's selection."""
        return (self.institution_id, *self.peers)

    def resolve(self, known: set[str] | dict[str, object]) -> tuple[list[str], list[str]]:
        """The members the warehouse knows (`known`: its institution ids), and those it no longer
        does (an institution left the registry since the set was saved)."""
        return [i for i in self.members if i in known], [i for i in self.members if i not in known]

    def gone_note(self, gone: list[str]) -> str:
        """Why a set's selection is smaller than the set: its missing ids, named."""
        ids = ", ".join(gone)
        verb = "is" if len(gone) == 1 else "are"
        return (
            f"peer set {self.name}: {ids} {verb} no longer in the registry, so left out "
            f"(finsocial peers save {self.name} ... replaces the set)"
        )


def load_peer_sets(paths: DataPaths) -> dict[str, PeerSet]:
    """Every saved set by name; none when the file does not exist yet."""
    if not paths.peer_sets.exists():
        return {}
    try:
        raw = json.loads(paths.peer_sets.read_text(encoding="utf-8"))
        return {
            name: PeerSet(name, entry["institution"], tuple(entry["peers"]))
            for name, entry in raw["peer_sets"].items()
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise PeerSetError(f"{paths.peer_sets}: not a peer sets file ({type(exc).__name__}: {exc})") from None


def find_peer_set(paths: DataPaths, name: str) -> PeerSet:
    """The saved set of that name; PeerSetError naming the saved ones when there is none."""
    sets = load_peer_sets(paths)
    if name not in sets:
        raise PeerSetError(
            f"no peer set named {name!r} (saved: {', '.join(sets) or 'none yet; finsocial peers suggest INSTITUTION --save NAME'})"
        )
    return sets[name]


def _write(paths: DataPaths, sets: dict[str, PeerSet]) -> None:
    body = {
        "peer_sets": {
            s.name: {"institution": s.institution_id, "peers": list(s.peers)} for s in sets.values()
        }
    }
    paths.root.mkdir(parents=True, exist_ok=True)
    write_atomic(paths.peer_sets, (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def save_peer_set(paths: DataPaths, peer_set: PeerSet, known: set[str]) -> None:
    """Save (or replace) a set; every id must be an institution of the warehouse (`known`)."""
    if not NAME.match(peer_set.name):
        raise PeerSetError(
            f"peer set name {peer_set.name!r}: letters, digits, spaces, '.', '_' or '-', at most 64"
        )
    unknown = [i for i in (peer_set.institution_id, *peer_set.peers) if i not in known]
    if unknown:
        raise PeerSetError(f"unknown institution {', '.join(repr(i) for i in unknown)} (see finsocial top)")
    if not peer_set.peers:
        raise PeerSetError(f"peer set {peer_set.name!r} has no peers")
    peers = tuple(dict.fromkeys(p for p in peer_set.peers if p != peer_set.institution_id))
    sets = load_peer_sets(paths)
    sets[peer_set.name] = PeerSet(peer_set.name, peer_set.institution_id, peers)
    _write(paths, sets)


def delete_peer_set(paths: DataPaths, name: str) -> None:
    sets = load_peer_sets(paths)
    if name not in sets:
        raise PeerSetError(f"no peer set named {name!r} (saved: {', '.join(sets) or 'none'})")
    del sets[name]
    _write(paths, sets)


def suggest_peers(institution_id: str, institutions: list[dict], count: int = 5) -> list[str]:
    """Peers for an institution: the same kind, the same country first, then the nearest
    audiences (followers on all platforms, by ratio: 40K is as near to 20K as to 80K).
    `institutions`: dicts with institution_id, kind, country and followers (None when unknown)."""
    by_id = {i["institution_id"]: i for i in institutions}
    if institution_id not in by_id:
        raise PeerSetError(f"unknown institution {institution_id!r}")
    me = by_id[institution_id]

    def distance(other: dict) -> float:
        if not me.get("followers") or not other.get("followers"):
            return math.inf
        return abs(math.log(other["followers"] / me["followers"]))

    same_kind = [i for i in institutions if i["kind"] == me["kind"] and i["institution_id"] != institution_id]
    ranked = sorted(
        same_kind, key=lambda i: (i["country"] != me["country"], distance(i), i["institution_id"])
    )
    return [i["institution_id"] for i in ranked[:count]]
