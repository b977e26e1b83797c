"""A real S3 endpoint on loopback: moto's server (ThreadedMotoServer) on a free port."""

from collections.abc import Iterator
from dataclasses import dataclass

import boto3  # type: ignore[import-untyped]
import pytest
from moto.server import ThreadedMotoServer

from app.config import Settings

BUCKET = "pantau-evidence"


@dataclass(frozen=True)
class S3:
    endpoint: str

    def settings(self, base: Settings) -> Settings:
        return base.model_copy(
            update={
                "evidence_store": "s3",
                "s3_endpoint_url": self.endpoint,
                "s3_bucket": BUCKET,
                "s3_access_key_id": "pantau-test",
                "s3_secret_access_key": "pantau-test-secret",
            }
        )


@pytest.fixture(scope="session")
def s3() -> Iterator[S3]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="pantau-test",
        aws_secret_access_key="pantau-test-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield S3(endpoint)
    finally:
        server.stop()
