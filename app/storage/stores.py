"""Put, get and delete bytes by key. Keys are made by the service (never from a file's name):
`reports/<report id>/<file id>`, so neither store has to guard against `..` or odd names."""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from app.config import Settings

KEY = re.compile(r"^[a-z]+(/[0-9a-f-]{32,36})+$")


class Missing(LookupError):
    """The store has nothing under the key."""


@dataclass(frozen=True, slots=True)
class Stored:
    size: int
    content_type: str


@dataclass(frozen=True, slots=True)
class Blob:
    data: bytes
    content_type: str


class Store(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> Stored: ...

    def get(self, key: str) -> Blob: ...

    def delete(self, key: str) -> None: ...


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStore:
    """Files in a folder of the local disk; the content type is kept beside each file."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> Stored:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(data)
        path.with_suffix(".type").write_text(content_type, encoding="ascii")
        os.replace(partial, path)  # whole or not at all
        return Stored(len(data), content_type)

    def get(self, key: str) -> Blob:
        path = self._path(key)
        try:
            data = path.read_bytes()
            content_type = path.with_suffix(".type").read_text(encoding="ascii")
        except FileNotFoundError as missing:
            raise Missing(key) from missing
        return Blob(data, content_type)

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        path.with_suffix(".type").unlink(missing_ok=True)


class S3Store:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph, Garage…) through boto3."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3Store":
        import boto3  # type: ignore[import-untyped]  # only deployments that store in S3 load it

        if not settings.s3_bucket:
            raise ValueError("PANTAU_S3_BUCKET is needed when PANTAU_EVIDENCE_STORE is s3")
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
        )
        return cls(client, settings.s3_bucket)

    def put(self, key: str, data: bytes, content_type: str) -> Stored:
        self.client.put_object(
            Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type
        )
        return Stored(len(data), content_type)

    def get(self, key: str) -> Blob:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
        except self.client.exceptions.NoSuchKey as missing:
            raise Missing(key) from missing
        return Blob(found["Body"].read(), str(found["ContentType"]))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_checked(key))


def store_of(settings: Settings) -> Store:
    if settings.evidence_store == "s3":
        return S3Store.from_settings(settings)
    return LocalStore(settings.evidence_folder)
