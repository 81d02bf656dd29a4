"""The result cache: reused while nothing changed, never when something did."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dynaguard.core.config import Config
from dynaguard.scan import scan
from dynaguard.scan.cache import CACHE_DIR

FIXTURE = Path(__file__).parent / "fixtures" / "DG103"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    return root


def _report(root: Path, **kw: object) -> list[dict[str, object]]:
    result = scan([root], root=root, cache=True, **kw)  # type: ignore[arg-type]
    return [f.to_json() for f in result.findings]


def test_an_unchanged_tree_is_answered_from_the_cache(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    cold = scan([root], root=root, cache=True)
    assert "cached" not in cold.stats
    assert list((root / CACHE_DIR).glob("scan-*.json"))
    # Then a second scan reuses the entry and reports exactly the same findings
    warm = scan([root], root=root, cache=True)
    assert warm.stats["cached"] is True
    assert [f.to_json() for f in warm.findings] == [f.to_json() for f in cold.findings]
    assert [r.id for r in warm.rules] == [r.id for r in cold.rules]
    assert warm.to_json()["findings"] == cold.to_json()["findings"]


def test_a_changed_added_or_removed_file_is_scanned_again(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    before = _report(root)
    # a route gains an ownership check: its finding must go, not come from the cache
    bad = root / "bad.py"
    text = bad.read_text(encoding="utf-8")
    bad.write_text(text.replace('Key={"id": note_id})["Item"]', 'Key={"id": user.id})["Item"]', 1))
    changed = _report(root)
    gone = [f for f in before if f not in changed]
    assert ("DG103", "bad.py") in {(f["rule"], f["path"]) for f in gone}
    assert len(changed) == len(before) - len(gone) and {f["line"] for f in gone} == {
        gone[0]["line"]
    }  # only the edited line's findings went (the path id also was an unvalidated one)
    (root / "extra.py").write_text("x = 1\n", encoding="utf-8")
    assert "cached" not in scan([root], root=root, cache=True).stats
    (root / "extra.py").unlink()
    assert "cached" not in scan([root], root=root, cache=True).stats
    assert scan([root], root=root, cache=True).stats["cached"] is True


def test_an_entry_whose_hash_disagrees_is_a_miss(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    _report(root)
    entry = next((root / CACHE_DIR).glob("scan-*.json"))
    data = json.loads(entry.read_text(encoding="utf-8"))
    # an entry whose hash disagrees with the file (stamps forged to look current)
    st = (root / "good.py").stat()
    data["inputs"]["good.py"] = [st.st_size + 1, st.st_mtime_ns, "0" * 64]
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert "cached" not in scan([root], root=root, cache=True).stats


def test_config_changes_and_a_corrupt_entry_cost_a_scan_not_an_error(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    everything = _report(root)
    only = _report(root, config=Config(select=("DG101",)))
    assert {f["rule"] for f in only} <= {"DG101"} and only != everything
    for entry in (root / CACHE_DIR).glob("scan-*.json"):
        entry.write_text("{not json", encoding="utf-8")
    again = scan([root], root=root, cache=True)
    assert again.errors == () and "cached" not in again.stats
    assert [f.to_json() for f in again.findings] == everything


def test_an_unwritable_cache_directory_is_no_error(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / CACHE_DIR).write_text("a file where the directory would go", encoding="utf-8")
    result = scan([root], root=root, cache=True)
    assert result.errors == () and result.findings
    assert os.path.isfile(root / CACHE_DIR)


def test_the_command_line_caches_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dynaguard.cli.main import main

    root = _tree(tmp_path)
    monkeypatch.chdir(root)
    argv = ["scan", ".", "--format", "json", "--fail-on", "none"]
    assert main([*argv, "--no-cache"]) == 0
    assert not (root / CACHE_DIR).exists()
    capsys.readouterr()
    reports = []
    for _ in range(2):
        assert main(argv) == 0
        reports.append(json.loads(capsys.readouterr().out))
    assert (root / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    assert reports[0]["findings"] == reports[1]["findings"]
    assert "cached" not in reports[0]["stats"] and reports[1]["stats"]["cached"] is True


def test_only_regular_files_of_readable_size_are_hashed(tmp_path: Path) -> None:
    from dynaguard.scan.cache import _stamp

    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    assert _stamp(fifo, None) is None  # never opened: reading a FIFO would block
    small = tmp_path / "small.py"
    small.write_text("x = 1\n", encoding="utf-8")
    stamp = _stamp(small, None)
    assert stamp is not None and stamp[0] == 6
    assert _stamp(small, stamp) == stamp


def test_a_fifo_planted_as_the_cache_entry_is_a_miss_not_a_hang(tmp_path: Path) -> None:
    # Given a tree whose cache entry has been replaced by a FIFO nobody writes to
    root = _tree(tmp_path)
    cold = scan([root], root=root, cache=True)
    (entry,) = (root / CACHE_DIR).glob("scan-*.json")
    entry.unlink()
    os.mkfifo(entry)
    # When it is scanned again, then the scan answers from the files (no blocking read)
    again = scan([root], root=root, cache=True)
    assert "cached" not in again.stats
    assert [f.to_json() for f in again.findings] == [f.to_json() for f in cold.findings]


def test_the_cache_keeps_a_bounded_number_of_entries(tmp_path: Path) -> None:
    # Given scans of many different file sets (as a pre-commit hook makes, one per commit)
    from dynaguard.scan.cache import MAX_ENTRIES

    root = _tree(tmp_path)
    files = sorted(root.rglob("*.py"))
    for n in range(MAX_ENTRIES + 4):
        extra = root / f"extra_{n}.py"
        extra.write_text(f"X = {n}\n", encoding="utf-8")
        scan([*files, extra], root=root, cache=True)
    # Then only the newest entries are kept
    assert len(list((root / CACHE_DIR).glob("scan-*.json"))) == MAX_ENTRIES
