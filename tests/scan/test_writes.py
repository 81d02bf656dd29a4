"""A write reached through the project's own helpers is reported where it is decided."""

from __future__ import annotations

from pathlib import Path

from dynaguard.scan import scan

WRAPPERS = Path(__file__).parent / "fixtures" / "DG101-wrappers"


def test_caller_findings_carry_the_chain_down_to_the_write() -> None:
    # Given routes that read, check and write through a repository
    result = scan([WRAPPERS], root=WRAPPERS)
    by_line = {(f.path, f.line, f.rule): f for f in result.findings}
    # When the route writes back the order it read, through repo.save_order
    found = by_line[("api.py", 33, "DG101")]
    # Then the route's line is reported, with each hop and the write as evidence
    assert found.route == "POST /orders/{order_id}/lines"
    chain = found.evidence["chain"]
    assert chain == [
        {
            "path": "api.py",
            "line": 33,
            "function": "DG101-wrappers.api:add_line",
            "calls": "DG101-wrappers.repo:OrderRepo.save_order",
        },
        {"path": "repo.py", "line": 45, "function": "DG101-wrappers.repo:OrderRepo.save_order"},
    ]
    assert found.evidence["read"] == {
        "path": "repo.py",
        "line": 42,
        "function": "DG101-wrappers.repo:OrderRepo.find",
    }
    # And the counter checked then set through a helper is DG102 at the caller, naming it
    spend = by_line[("api.py", 42, "DG102")]
    assert spend.evidence["attributes"] == ["credits"]
    assert spend.evidence["write"] == {
        "path": "repo.py",
        "line": 48,
        "function": "DG101-wrappers.repo:OrderRepo.set_credits",
    }
