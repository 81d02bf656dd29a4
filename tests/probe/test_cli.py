"""`dynaguard probe` end to end: over uvicorn on 127.0.0.1 and in-process with --app.

Given a planted app, when the CLI runs in every format, then the findings are there, the
exit code follows --fail-on, and no secret from --identity appears in any output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dynaguard.cli.main import main
from tests.probe.conftest import ALICE, BOB, SECRETS, MakeApp, cli_app_argv
from tests.probe.servers import uvicorn_serving

FORMATS = ("text", "json", "sarif", "markdown", "html")


def test_cli_over_uvicorn_every_format_no_secret(
    notes_app: MakeApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = notes_app("bola_write", "overexpose", "error_leak")
    with uvicorn_serving(app) as url:
        codes = {}
        for fmt in FORMATS:
            out = tmp_path / f"report.{fmt}"
            # Every probe once (json); the other formats re-run the two that carry evidence.
            select = [] if fmt == "json" else ["--select", "DG202,DG209"]
            argv = ["probe", url, "--identity", ALICE, "--identity", BOB, "--active"]
            argv += ["--format", fmt, "-o", str(out), "--timeout", "5", *select]
            codes[fmt] = main(argv)
    assert set(codes.values()) == {1}, codes
    report = json.loads((tmp_path / "report.json").read_text())
    rules = {(f["rule"], f["route"]) for f in report["findings"]}
    assert ("DG202", "DELETE /notes/{note_id}") in rules
    assert ("DG209", "GET /notes/{note_id}") in rules
    assert report["engine"] == "probe" and report["schema"] == 1
    captured = capsys.readouterr()
    texts = [p.read_text() for p in tmp_path.iterdir()] + [captured.out, captured.err]
    for secret in SECRETS:
        assert not any(secret in t for t in texts), secret
    # The raw item carried alice's token: redacted in the evidence, not missing from it.
    leak = next(f for f in report["findings"] if f["rule"] == "DG209")
    body = leak["evidence"]["exchanges"][0]["response"]["body"]
    assert '"_last_auth":"[redacted]"' in body, body


def test_cli_app_in_process_and_fail_on(
    notes_app: MakeApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    argv = cli_app_argv(notes_app("bola_read"), monkeypatch, "bola_read")
    args = [*argv, "--format", "json", "-q", "-o", str(out)]
    assert main([*args, "--fail-on", "critical"]) == 0
    assert main(args) == 1
    found = json.loads(out.read_text())
    assert {(f["rule"], f["route"]) for f in found["findings"]} == {
        ("DG201", "GET /notes/{note_id}")
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["probe"], "give the API's URL"),
        (["probe", "http://127.0.0.1:9", "--identity", "nope"], "--identity must look like"),
        (["probe", "ftp://x"], "not an http(s) URL"),
        (["probe", "http://127.0.0.1:9", "--format", "pdf"], "--format must be one of"),
        (["probe", "http://127.0.0.1:9"], "cannot load the spec"),
        (["probe", "http://127.0.0.1:9", "--exclude-path", "("], "bad regular expression"),
        (["probe", "--app", "no_such_module_xyz:app"], "cannot import no_such_module_xyz"),
        (["probe", "--app", "tests.probe.servers:nothing"], "no ASGI app named"),
        (["probe", "http://127.0.0.1:9", "--spec", "/no/such/spec.json"], "spec /no/such"),
        (["probe", "http://127.0.0.1:9", "--budget", "0"], "--budget must be"),
        (["probe", "http://127.0.0.1:9", "--timeout", "nan"], "--max-time numbers > 0"),
        (["probe", "http://127.0.0.1:9", "--rate", "inf"], "--rate >= 0"),
        (["probe", "http://[::1"], "not a valid URL"),
        (["probe", "http://127.0.0.1:9", "--spec", "/dev/zero"], "larger than 10000000 bytes"),
        (["probe", "--app", "json:dumps"], "json:dumps is not an ASGI app"),
        (["probe", "http://127.0.0.1:9", "-o", "/no/such/dir/r.json"], "/no/such/dir does not"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert "Traceback" not in err[0]


def test_unreachable_target_is_an_error_not_a_clean_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a spec file and a target where nothing listens
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(THINGS_SPEC))
    argv = ["probe", "http://127.0.0.1:9", "--spec", str(spec), "--identity", ALICE, "-q"]
    # When probing it, Then it is not "no findings, grade A": exit 2, and why
    assert main([*argv, "--format", "json", "--fail-on", "none"]) == 2
    captured = capsys.readouterr()
    assert "the target gave no usable answer" in captured.err
    assert "ConnectError" in captured.err
    report = json.loads(captured.out)
    assert report["stats"]["complete"] is False and report["findings"] == []


THINGS_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/things/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {"responses": {"200": {"description": "ok"}}},
        },
    },
}


@pytest.mark.parametrize(
    "extra", [["--spec", "http://127.0.0.1:8/openapi.json"], []], ids=["spec-elsewhere", "down"]
)
def test_password_in_the_url_never_reaches_stderr(
    extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["probe", "http://u:hunter22secret@127.0.0.1:9", *extra]) == 2
    err = capsys.readouterr().err
    assert "hunter22secret" not in err and "u:[redacted]@127.0.0.1:9" in err, err
