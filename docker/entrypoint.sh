#!/bin/sh
# Bring the schema to head, then serve; extra arguments go to `pantau serve` (--workers 4).
set -eu
pantau migrate
exec pantau serve --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" "$@"
