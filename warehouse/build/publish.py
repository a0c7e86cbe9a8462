"""The published warehouse: a build uploads its file under a versioned key, then moves a small
pointer to it; a dashboard machine pulls the newest version and swaps it in as a build does."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.infra.files import fsync_dir
from warehouse.infra.paths import DataPaths
from warehouse.landing.runs import file_sha256
from warehouse.landing.store import Store

PUBLISHED = "published"
POINTER = f"{PUBLISHED}/latest.json"
KEEP_ENV = "FINSOCIAL_PUBLISH_KEEP"
DEFAULT_KEEP = 3  # versions kept: a replica still downloading the one before has it


class NothingPublished(LookupError):
    """No warehouse was published there yet."""


@dataclass(frozen=True)
class Published:
    """One published version, as the pointer names it."""

    key: str
    build_id: str
    built_at: str
    data_to: str | None
    bytes: int
    sha256: str


def _info(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
    finally:
        con.close()


def published(store: Store) -> Published:
    """What the pointer names now; NothingPublished when nothing was published."""
    try:
        pointer = json.loads(store.read(POINTER))
    except FileNotFoundError:
        raise NothingPublished(
            f"nothing published at {store.where(PUBLISHED)} yet: `finsocial build --publish`"
        ) from None
    return Published(**{k: pointer.get(k) for k in Published.__dataclass_fields__})


def publish(paths: DataPaths, store: Store, log: Callable[[str], None] = print) -> Published:
    """Upload the serving warehouse under published/<built_at>-<build_id>.duckdb, then move the
    pointer published/latest.json to it (one atomic PUT): a replica reads the old pointer or the
    new, and the version a pointer names is always whole. Keeps the newest FINSOCIAL_PUBLISH_KEEP."""
    info = _info(paths.db)
    built_at = dt.datetime.fromisoformat(info["built_at"])
    key = f"{PUBLISHED}/{built_at:%Y%m%dT%H%M%SZ}-{info['build_id'][:12]}.duckdb"
    version = Published(
        key=key,
        build_id=info["build_id"],
        built_at=info["built_at"],
        data_to=info.get("data_to"),
        bytes=paths.db.stat().st_size,
        sha256=file_sha256(paths.db),
    )
    store.put_file(key, paths.db)
    store.replace(POINTER, json.dumps(version.__dict__, indent=2).encode())
    log(f"published {store.where(key)} ({version.bytes / 1e6:.1f} MB, data to {version.data_to})")
    keep = max(1, int(os.environ.get(KEEP_ENV) or DEFAULT_KEEP))
    versions = sorted(k for k in store.list(PUBLISHED) if k.endswith(".duckdb"))
    for old in versions[:-keep]:
        if old != key:
            store.delete(old)
    return version


@dataclass(frozen=True)
class PullResult:
    version: Published
    pulled: bool  # False: the local file was that version already


def pull(paths: DataPaths, store: Store, log: Callable[[str], None] = print) -> PullResult:
    """Fetch the newest published warehouse into paths.db unless it is that version already:
    download beside it, check its size and SHA-256, then os.replace it in. A reader holding the
    old file keeps reading it; the next connection opens the new one."""
    version = published(store)
    if paths.db.exists():
        try:
            if _info(paths.db).get("build_id") == version.build_id:
                return PullResult(version, False)
        except duckdb.Error:
            pass  # not a warehouse, or one being written: replace it
    paths.root.mkdir(parents=True, exist_ok=True)
    tmp = paths.db.with_name(f".{paths.db.name}.pull-{secrets.token_hex(4)}")
    try:
        for _attempt in range(3):
            try:
                store.get_file(version.key, tmp)
                break
            except FileNotFoundError:  # newer builds were published meanwhile and this one removed
                version = published(store)
        else:
            raise NothingPublished(f"{store.where(version.key)}: removed while being pulled, three times")
        size, digest = tmp.stat().st_size, file_sha256(tmp)
        if size != version.bytes or digest != version.sha256:
            raise ValueError(
                f"{store.where(version.key)}: {size} bytes with SHA-256 {digest[:12]}…, the pointer says "
                f"{version.bytes} bytes and {version.sha256[:12]}…; the local warehouse is unchanged"
            )
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, paths.db)
        fsync_dir(paths.db.parent)
    finally:
        tmp.unlink(missing_ok=True)
    log(f"pulled {store.where(version.key)} into {paths.db} (data to {version.data_to})")
    return PullResult(version, True)
