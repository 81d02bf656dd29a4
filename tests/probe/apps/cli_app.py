"""`--app tests.probe.apps.cli_app:app`: the notes app on the table named in DG_PROBE_TABLE."""

from __future__ import annotations

import os

from tests.probe.apps.notes_app import make_app

app = make_app(
    os.environ["DG_PROBE_TABLE"],
    [b for b in os.environ.get("DG_PROBE_BUGS", "").split(",") if b],
    endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
    region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
