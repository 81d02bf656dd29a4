"""Frames, and the records that carry one: shared by the index and its query engines.

A `Frame` is a function being analysed under the call chain that entered it; a `Site` is
one way a route reaches a DynamoDB call; an `Event` is one read, check or write of a
request (flow.py). They live here, below index.py, so that the engines (infer, provenance,
flow, calls) and the index can all name them without importing one another.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable
from dataclasses import dataclass, field

from dynaguard.scan.fixpoint import CallKey, node_key
from dynaguard.scan.model import DynamoCall, FunctionInfo, Route
from dynaguard.scan.symbols import ModuleInfo, dotted


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """A function being analysed, and (when known) the call that entered it."""

    fn: FunctionInfo | None
    module: ModuleInfo
    caller: Frame | None = None
    call: ast.Call | None = None
    depth: int = 0
    arg_offset: int = 0  # to_thread(f, a, b): f's arguments start at position 1
    _key: Hashable = field(default=None, init=False, repr=False)

    @property
    def key(self) -> Hashable:
        """The frame's stable identity: its function, and the call chain that entered it."""
        if self._key is None:
            call = node_key(self.call) if self.call is not None else None
            caller = self.caller.key if self.caller is not None else None
            name = self.fn.qualname if self.fn is not None else None
            key = (name, self.module.name, call, self.arg_offset, caller)
            object.__setattr__(self, "_key", key)
        return self._key

    def enter(
        self, fn: FunctionInfo, call: ast.Call | None, module: ModuleInfo, arg_offset: int = 0
    ) -> Frame:
        """The frame of `fn` called from here through `call`."""
        return Frame(fn, module, self, call, self.depth + 1, arg_offset)

    def chain(self) -> list[FunctionInfo]:
        """Functions from the outermost caller down to this one."""
        out: list[FunctionInfo] = []
        f: Frame | None = self
        while f is not None:
            if f.fn is not None:
                out.insert(0, f.fn)
            f = f.caller
        return out


@dataclass(frozen=True, slots=True, eq=False)
class Site:
    """One way a DynamoDB call is reached: the route (None when no route reaches it)."""

    route: Route | None
    frame: Frame


@dataclass(frozen=True, slots=True, eq=False)
class Event:
    """A read, write or check performed while serving a route."""

    kind: str  # "read" | "write" | "check"
    frame: Frame
    node: ast.AST
    call: DynamoCall | None = None
    attrs: frozenset[str] = frozenset()  # attributes of a read item the check compares
    principal: bool = False  # the check compares against the authenticated principal
    reads: frozenset[CallKey] = frozenset()  # the read calls whose items are checked (keys)

    @property
    def line(self) -> int:
        """Line of the event."""
        return getattr(self.node, "lineno", 0)


def bound_arg(frame: Frame, name: str) -> tuple[ast.expr, Frame] | None:
    """The caller's argument for parameter `name`, or its default; None when unknown."""
    fn = frame.fn
    if fn is None:
        return None
    if frame.call is not None and frame.caller is not None:
        call = frame.call
        for kw in call.keywords:
            if kw.arg == name:
                return kw.value, frame.caller
        params = [a.arg for a in [*fn.node.args.posonlyargs, *fn.node.args.args]]
        # a method called as obj.m(...) does not pass `self` explicitly
        if fn.class_name and params and params[0] in ("self", "cls"):
            params = params[1:]
        if name in params:
            i = params.index(name)
            given = call.args[frame.arg_offset :]
            positional = [a for a in given if not isinstance(a, ast.Starred)]
            if i < len(positional) and len(positional) == len(given):
                return positional[i], frame.caller
    default = fn.default_of(name)
    if default is not None and not is_marker(default, frame.module):
        return default, frame
    return None


def is_marker(expr: ast.expr, mod: ModuleInfo) -> bool:
    """A call of a FastAPI parameter marker (`Depends()`, `Path()`, `Query()`...)."""
    return isinstance(expr, ast.Call) and (dotted(expr.func, mod) or "").rsplit(".", 1)[-1] in (
        "Depends",
        "Security",
        "Query",
        "Path",
        "Body",
        "Header",
        "Cookie",
        "Form",
        "File",
    )
