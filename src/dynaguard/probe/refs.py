"""Local `$ref` resolution with cycle protection and an expansion budget.

A hostile spec can make naive expansion loop forever (a schema that refers to itself) or
grow exponentially (each definition referring twice to the next). Cycles are cut with
an empty schema and noted; total expansion is capped and then the spec is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dynaguard.core.findings import JSON
from dynaguard.probe.errors import ProbeError

MAX_NODES = 200_000
MAX_DEPTH = 64


@dataclass(slots=True)
class Resolver:
    """Expands `#/...` references in a document; remote references become `{}` with a note."""

    root: JSON
    nodes: int = 0
    notes: list[str] = field(default_factory=list)

    def pointer(self, ref: str) -> JSON:
        """The node a local JSON pointer (`#/components/schemas/X`) names."""
        node: JSON = self.root
        for raw in ref[2:].split("/") if ref != "#" else []:
            key = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise ProbeError(f"spec: $ref {ref!r} points at nothing")
        return node

    def resolve(self, node: JSON, stack: tuple[str, ...] = ()) -> JSON:
        """A copy of `node` with every local reference expanded."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ProbeError(
                f"spec: more than {MAX_NODES} schema nodes after $ref expansion (hostile spec?)"
            )
        if len(stack) > MAX_DEPTH:
            self._note(f"$ref chain deeper than {MAX_DEPTH} cut")
            return {}
        if isinstance(node, list):
            return [self.resolve(v, stack) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#"):
                self._note(f"remote $ref {ref[:80]!r} not followed")
                return {}
            if ref in stack:
                self._note(f"recursive $ref {ref[:80]!r} cut")
                return {}
            return self.resolve(self.pointer(ref), (*stack, ref))
        return {k: self.resolve(v, stack) for k, v in node.items()}

    def _note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < 20:
            self.notes.append(text)
