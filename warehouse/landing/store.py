"""Where the landing zone's objects lie: a local folder or an S3 bucket and prefix, behind one interface."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from warehouse.infra.files import fsync_dir, write_atomic
from warehouse.infra.paths import DataPaths

S3_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<prefix>.*))?$")


class StoreError(Exception):
    """The store refused or failed an operation (unreachable, denied, out of space): nothing was
    done that a reader could see half of. The message names the object and the store's answer."""


@dataclass(frozen=True)
class Listing:
    """One level of a store, as os.scandir gives it: objects (name → bytes) and sub-folders."""

    files: dict[str, int]
    folders: list[str]


class Store(ABC):
    """A flat namespace of immutable objects under '/'-separated keys.

    The landing zone's contract needs only this: a run's files put once, its manifest created
    last and only if absent (so a run appears whole or not at all), listings, reads, and moves
    and deletes for the quarantine and compaction, which always drop a run's marker (manifest or
    index) first and write it last.
    """

    url: str
    is_local: bool

    def where(self, key: str = "") -> str:
        """An object's address for messages: a path, or s3://bucket/prefix/key."""
        return f"{self.url.rstrip('/')}/{key}" if key else self.url

    @abstractmethod
    def scan(self, prefix: str = "") -> Listing:
        """The objects and sub-folders directly under `prefix` (a folder key, '' for the top)."""

    @abstractmethod
    def list(self, prefix: str = "") -> dict[str, int]:
        """Every object under the folder `prefix`, at any depth: key → bytes."""

    @abstractmethod
    def read(self, key: str) -> bytes:
        """An object's bytes; FileNotFoundError when it is not there."""

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Write an object (a run's file: written once, before its manifest)."""

    @abstractmethod
    def put_file(self, key: str, path: Path) -> None:
        """Write a local file as an object, however large (a published warehouse)."""

    @abstractmethod
    def get_file(self, key: str, path: Path) -> None:
        """Copy an object into a local file, however large."""

    @abstractmethod
    def create(self, key: str, data: bytes) -> bool:
        """Write an object only if none is there; False when one was (a manifest, a lease)."""

    @abstractmethod
    def replace(self, key: str, data: bytes) -> None:
        """Write an object whole over the old one: readers see the old or the new, never a part."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; nothing when it is not there."""

    @abstractmethod
    def delete_folder(self, prefix: str, markers: tuple[str, ...] = ()) -> None:
        """Remove everything under `prefix`, the objects named in `markers` first."""

    @abstractmethod
    def move_folder(self, source: str, target: str, markers: tuple[str, ...] = ()) -> None:
        """Move everything under `source` to `target`; `markers` are written last at the target
        and removed first at the source, so neither place holds a visible half."""

    @abstractmethod
    def local_path(self, key: str) -> Path:
        """Where the object lies on this machine: the file itself, or its place in the cache."""

    def fetch(self, key: str) -> Path:
        """A local file holding the object (a remote store downloads it into its cache once)."""
        return self.local_path(key)

    @abstractmethod
    def newest(self, prefix: str) -> float | None:
        """When the newest object under the folder `prefix` was written (epoch seconds), or None."""

    def exists(self, key: str) -> bool:
        parent, _, name = key.rpartition("/")
        return name in self.scan(parent).files

    def folder_exists(self, prefix: str) -> bool:
        parent, _, name = prefix.rstrip("/").rpartition("/")
        return name in self.scan(parent).folders


class LocalStore(Store):
    """The landing zone in a local folder: renames are atomic, and writes are made durable."""

    is_local = True

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.url = str(self.root)

    def where(self, key: str = "") -> str:
        return str(self.root / key) if key else str(self.root)

    def scan(self, prefix: str = "") -> Listing:
        files, folders = {}, []
        try:
            with os.scandir(self.root / prefix) as entries:
                for entry in entries:
                    if entry.is_dir():
                        folders.append(entry.name)
                    elif entry.is_file():
                        files[entry.name] = entry.stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            pass
        return Listing(files, sorted(folders))

    def list(self, prefix: str = "") -> dict[str, int]:
        base = self.root / prefix
        found = {}
        for folder, _dirs, names in os.walk(base):
            for name in names:
                path = Path(folder) / name
                found[path.relative_to(self.root).as_posix()] = path.stat().st_size
        return found

    def read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def put(self, key: str, data: bytes) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def put_file(self, key: str, path: Path) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        shutil.copyfile(path, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)

    def get_file(self, key: str, path: Path) -> None:
        shutil.copyfile(self.root / key, path)

    def create(self, key: str, data: bytes) -> bool:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)  # fails when the target exists: the create is exclusive
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(target.parent)
        return True

    def replace(self, key: str, data: bytes) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def delete_folder(self, prefix: str, markers: tuple[str, ...] = ()) -> None:
        folder = self.root / prefix
        for marker in markers:
            (folder / marker).unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        self._prune(folder.parent)

    def move_folder(self, source: str, target: str, markers: tuple[str, ...] = ()) -> None:
        src, dst = self.root / source, self.root / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)  # one rename: the folder is in one place or the other
        fsync_dir(dst.parent)
        fsync_dir(src.parent)
        self._prune(src.parent)

    def _prune(self, folder: Path) -> None:
        """Remove a folder (a day, the compacted folder) that a removal left empty."""
        if folder != self.root and folder.is_relative_to(self.root):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def local_path(self, key: str) -> Path:
        return self.root / key

    def newest(self, prefix: str) -> float | None:
        times = [
            os.stat(os.path.join(folder, name)).st_mtime
            for folder, _dirs, names in os.walk(self.root / prefix)
            for name in names
        ]
        return max(times, default=None)


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, prefix without slashes at either end) of s3://bucket/prefix; ValueError otherwise."""
    match = S3_URL.match(url)
    if not match:
        raise ValueError(f"{url!r} is not an s3://bucket/prefix URL")
    return match["bucket"], (match["prefix"] or "").strip("/")


class S3Store(Store):
    """The landing zone under s3://bucket/prefix on any S3-compatible store, through boto3.

    Endpoint and credentials come from the standard AWS variables (AWS_ENDPOINT_URL_S3 or
    AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION); nothing is logged.
    A create is a PUT with If-None-Match: *, so two writers never both think they made a key.
    Files are read through a local cache (`cache_root`): a landed object never changes, so each
    is downloaded once, and DuckDB reads the copy.
    """

    is_local = False

    def __init__(self, url: str, cache_root: str | os.PathLike, client=None):
        self.bucket, self.prefix = parse_s3_url(url)
        self.url = f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"
        self.cache_root = Path(cache_root)
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = s3_client()
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _folder(self, prefix: str) -> str:
        parts = [p for p in (self.prefix, prefix.strip("/")) if p]
        return "/".join(parts) + "/" if parts else ""

    def _error(self, what: str, key: str, exc: Exception) -> Exception:
        """The exception a failed call becomes: FileNotFoundError for a missing key, else StoreError."""
        from botocore.exceptions import ClientError

        if not isinstance(exc, ClientError):
            return StoreError(f"{self.where(key)}: cannot {what}: {exc}")
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("NoSuchKey", "404", "NotFound"):
            return FileNotFoundError(f"{self.where(key)}: not there")
        message = f"{self.where(key)}: cannot {what}: the store answered {status} {code}"
        return StoreError(f"{message} {error.get('Message') or ''}".rstrip())

    def _call(self, what: str, key: str, fn, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(Bucket=self.bucket, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise self._error(what, key, exc) from None

    def scan(self, prefix: str = "") -> Listing:
        files, folders = {}, []
        folder = self._folder(prefix)
        token = None
        while True:
            kwargs = {"Prefix": folder, "Delimiter": "/", **({"ContinuationToken": token} if token else {})}
            page = self._call("list", prefix, self.client.list_objects_v2, **kwargs)
            for obj in page.get("Contents", []):
                files[obj["Key"][len(folder) :]] = obj["Size"]
            folders += [p["Prefix"][len(folder) :].rstrip("/") for p in page.get("CommonPrefixes", [])]
            if not page.get("IsTruncated"):
                break
            token = page["NextContinuationToken"]
        files.pop("", None)  # a folder marker some tools write
        return Listing(files, sorted(folders))

    def list(self, prefix: str = "") -> dict[str, int]:
        return {key: size for key, (size, _when) in self._objects(prefix).items()}

    def newest(self, prefix: str) -> float | None:
        return max((when for _size, when in self._objects(prefix).values()), default=None)

    def _objects(self, prefix: str) -> dict[str, tuple[int, float]]:
        found = {}
        folder = self._folder(prefix)
        cut = len(self._folder(""))
        token = None
        while True:
            kwargs = {"Prefix": folder, **({"ContinuationToken": token} if token else {})}
            page = self._call("list", prefix, self.client.list_objects_v2, **kwargs)
            for obj in page.get("Contents", []):
                if not obj["Key"].endswith("/"):
                    found[obj["Key"][cut:]] = (obj["Size"], obj["LastModified"].timestamp())
            if not page.get("IsTruncated"):
                return found
            token = page["NextContinuationToken"]

    def folder_exists(self, prefix: str) -> bool:
        # holds an object: some stores (SeaweedFS) list a folder emptied by deletes as a prefix
        page = self._call("list", prefix, self.client.list_objects_v2, Prefix=self._folder(prefix), MaxKeys=1)
        return bool(page.get("KeyCount") or page.get("Contents"))

    def read(self, key: str) -> bytes:
        response = self._call("read", key, self.client.get_object, Key=self._key(key))
        return response["Body"].read()

    def put(self, key: str, data: bytes) -> None:
        self._call("write", key, self.client.put_object, Key=self._key(key), Body=data)

    def create(self, key: str, data: bytes) -> bool:
        return self.create_tagged(key, data) is not None

    def put_file(self, key: str, path: Path) -> None:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        try:  # multipart above 8 MB, parts in parallel
            self.client.upload_file(str(path), self.bucket, self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._error("write", key, exc) from None
        except S3UploadFailedError as exc:
            raise StoreError(f"{self.where(key)}: cannot write: {exc}") from None

    def get_file(self, key: str, path: Path) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.download_file(self.bucket, self._key(key), str(path))
        except (ClientError, BotoCoreError) as exc:
            raise self._error("read", key, exc) from None

    def replace(self, key: str, data: bytes) -> None:
        self.put(key, data)  # an S3 PUT is atomic: a reader gets the old object or the new

    def read_tagged(self, key: str) -> tuple[bytes, str]:
        """An object's bytes and its ETag, for a conditional replace or delete of that version."""
        response = self._call("read", key, self.client.get_object, Key=self._key(key))
        return response["Body"].read(), response["ETag"]

    def _conditional(self, what: str, key: str, fn, refused: tuple[int, ...], **kwargs) -> dict | None:
        """A conditional call; None when the store refused its condition (the statuses `refused`:
        412 the condition failed, 409 a concurrent write of the key, 404 it is gone)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(Bucket=self.bucket, Key=self._key(key), **kwargs)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in refused:
                return None
            raise self._error(what, key, exc) from None
        except BotoCoreError as exc:
            raise self._error(what, key, exc) from None

    def replace_if(self, key: str, data: bytes, etag: str) -> str | None:
        """Replace the object only if it is still the version `etag` (If-Match); its new ETag, or
        None when another writer changed or removed it first."""
        put = self.client.put_object
        response = self._conditional("replace", key, put, (404, 409, 412), Body=data, IfMatch=etag)
        return None if response is None else response["ETag"]

    def create_tagged(self, key: str, data: bytes) -> str | None:
        """As create (If-None-Match: *), returning the new object's ETag (None when one was there)."""
        put = self.client.put_object
        response = self._conditional("create", key, put, (409, 412), Body=data, IfNoneMatch="*")
        return None if response is None else response["ETag"]

    def delete_if(self, key: str, etag: str) -> bool:
        """Remove the object only if it is still the version `etag`; False when it changed."""
        delete = self.client.delete_object
        return self._conditional("delete", key, delete, (404, 409, 412), IfMatch=etag) is not None

    def delete(self, key: str) -> None:
        self._call("delete", key, self.client.delete_object, Key=self._key(key))

    def delete_folder(self, prefix: str, markers: tuple[str, ...] = ()) -> None:
        keys = self.list(prefix)
        first = [k for k in keys if k.rpartition("/")[2] in markers]
        for key in first:  # the marker first: what is left after a failure is invisible
            self.delete(key)
        rest = [k for k in keys if k not in first]
        for start in range(0, len(rest), 1000):
            batch = [{"Key": self._key(k)} for k in rest[start : start + 1000]]
            self._call("delete", prefix, self.client.delete_objects, Delete={"Objects": batch, "Quiet": True})
        # Some stores (SeaweedFS) keep emptied folders and list them; deleting a folder's key
        # removes it once empty (a no-op elsewhere, and for a folder still holding objects).
        top = prefix.strip("/")
        folders = {top}
        for key in keys:
            parent = key.rpartition("/")[0]
            while parent.startswith(top + "/"):
                folders.add(parent)
                parent = parent.rpartition("/")[0]
        for folder in sorted(folders, key=len, reverse=True):
            self._call("delete", folder, self.client.delete_object, Key=self._folder(folder))

    def move_folder(self, source: str, target: str, markers: tuple[str, ...] = ()) -> None:
        keys = self.list(source)
        is_marker = {k: k.rpartition("/")[2] in markers for k in keys}
        for key in sorted(keys, key=lambda k: is_marker[k]):  # markers copied last
            moved = target.rstrip("/") + key[len(source.rstrip("/")) :]
            self._call(
                "copy",
                moved,
                self.client.copy_object,
                Key=self._key(moved),
                CopySource={"Bucket": self.bucket, "Key": self._key(key)},
            )
        self.delete_folder(source, markers)

    def local_path(self, key: str) -> Path:
        return self.cache_root / key

    def fetch(self, key: str) -> Path:
        path = self.local_path(key)
        if not path.exists():
            data = self.read(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return path


def s3_client():
    """A boto3 S3 client from the standard AWS variables; path-style addressing for a custom endpoint."""
    import boto3
    from botocore.config import Config

    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    # Bounded: a store that accepts and never answers fails a command within about a minute
    # (three attempts of 5 s to connect and 15 s per read), not the ten minutes of 5 x 120 s.
    # FINSOCIAL_S3_TIMEOUT (seconds, both) and AWS_MAX_ATTEMPTS (attempts in all) change them.
    timeout = _positive_env("FINSOCIAL_S3_TIMEOUT", None)
    config = Config(
        retries={"total_max_attempts": int(_positive_env("AWS_MAX_ATTEMPTS", 3)), "mode": "standard"},
        connect_timeout=timeout or 5,
        read_timeout=timeout or 15,
        s3={"addressing_style": "path" if endpoint else "auto"},
    )
    # a session of its own: boto3's default session keeps the first credentials it found
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=endpoint, region_name=region, config=config)


def _positive_env(name: str, default: float | None) -> float | None:
    """A positive number from the environment, else `default`; a bad value is named."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise StoreError(f"{name}={text!r}: not a positive number")
    return value


def open_store(landing: str | os.PathLike | Store, cache_root: str | os.PathLike | None = None) -> Store:
    """The store of a landing zone: a Store as it is, an s3:// URL, else a local folder."""
    if isinstance(landing, Store):
        return landing
    text = os.fspath(landing)
    if text.startswith("s3://"):
        if cache_root is None:
            raise ValueError(f"{text}: a remote landing zone needs a local cache folder")
        bucket, prefix = parse_s3_url(text)
        return S3Store(text, Path(cache_root) / bucket / prefix)
    return LocalStore(text)


_stores: dict[tuple[str, str], Store] = {}


def landing_store(paths: DataPaths) -> Store:
    """The landing zone of an installation: paths.landing, or the s3:// URL it was given."""
    if not paths.remote_landing:
        return LocalStore(paths.landing)
    key = (str(paths.landing_url), str(paths.landing))
    if key not in _stores:  # one client per process: making a boto3 client takes a while
        _stores[key] = open_store(str(paths.landing_url), paths.landing)
    return _stores[key]
