"""Pantau with one more route that blocks on a gate the test controls, for real processes
killed mid-request: `uvicorn --factory tests.idempotency.slowapp:create`."""

import os
import socket

from fastapi import FastAPI, status

from app.main import create_app

SLOW = "/api/v1/test-slow"


def create() -> FastAPI:
    app = create_app()

    @app.post(SLOW, status_code=status.HTTP_201_CREATED)
    def slow() -> dict[str, str]:
        """Runs until the gate lets it through; the gate counts every run."""
        with socket.create_connection(("127.0.0.1", int(os.environ["TEST_GATE_PORT"]))) as gate:
            gate.recv(1)
        return {"ran": "yes"}

    return app
