"""DG112 fix: the leaked exception text becomes a fixed message with a correlation id.

    except ClientError as e:
        raise HTTPException(status_code=500, detail=str(e))

becomes

    except ClientError as e:
        error_id = uuid.uuid4().hex
        logger.error("request failed (error id %s)", error_id, exc_info=e)
        raise HTTPException(status_code=500, detail=f"request failed (error id {error_id})")

Every argument, dict value or returned value of the reported statement that carries the
exception's text (the exception itself, a local built from it, `traceback.format_exc()`)
is replaced; the status code and the rest of the answer stay. The exception is logged
with its traceback under the same id, so the text a client no longer sees is one search
away for the operator. `import logging`, `import uuid` and a module `logger` are added
when missing. A leak built inside a helper (reported with `evidence["helper"]`) is left
for a person: changing the helper changes every caller.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
import libcst.matchers as m

from dynaguard.core.findings import Finding
from dynaguard.fix._cst import LineTransformer, ensure_import, parse

MESSAGE = 'f"request failed (error id {error_id})"'
_TRACEBACK = m.Call(func=m.Attribute(value=m.Name("traceback")))
_HANDLED = "True"  # exc_info=True: the exception being handled, when it has no name


def fix(
    text: str, findings: Sequence[Finding]
) -> tuple[str, list[Finding], list[tuple[Finding, str]]]:
    """Replace the leaked text in the reported statements; log the exception instead."""
    targets = {f.line or 0: f for f in findings if "helper" not in f.evidence}
    transformer = _Seal(set(targets))
    module = parse(text).visit(transformer)
    if transformer.done:
        module = _with_logger(ensure_import(ensure_import(module, "uuid"), "logging"))
    fixed = [targets[line] for line in sorted(transformer.done)]
    skipped = [
        (f, "the text is built in a helper or not recognised here; fix it by hand")
        for f in findings
        if f not in fixed
    ]
    return module.code, fixed, skipped


def _with_logger(module: cst.Module) -> cst.Module:
    """A module-level `logger = logging.getLogger(__name__)` after the imports, unless there."""
    last_import = -1
    for i, stmt in enumerate(module.body):
        if m.matches(
            stmt, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name("logger"))])])
        ):
            return module
        if m.matches(stmt, m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])):
            last_import = i
    line = cst.parse_statement("logger = logging.getLogger(__name__)\n")
    line = line.with_changes(leading_lines=[cst.EmptyLine()])
    body = list(module.body)
    body.insert(last_import + 1, line)
    return module.with_changes(body=body)


class _Tainted(cst.CSTVisitor):
    """Does an expression use the exception (or a local made from it, or a traceback)?"""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            self.found = True

    def visit_Call(self, node: cst.Call) -> None:
        if m.matches(node, _TRACEBACK):
            self.found = True


def _uses(node: cst.CSTNode, names: set[str]) -> bool:
    visitor = _Tainted(names)
    node.visit(visitor)
    return visitor.found


def _message() -> cst.BaseExpression:
    return cst.parse_expression(MESSAGE)


class _Seal(LineTransformer):
    def __init__(self, lines: set[int]) -> None:
        super().__init__()
        self.lines = lines
        self.done: set[int] = set()
        self._exc: list[set[str]] = []  # exception names in scope (handlers, handler params)
        self._tainted: list[set[str]] = []

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        name = node.name.name if node.name and isinstance(node.name.name, cst.Name) else None
        # `except E:` with no name: the exception is still the one being handled (True).
        self._exc.append({name.value} if name else {_HANDLED})
        self._tainted.append(set())

    def leave_ExceptHandler(
        self, original: cst.ExceptHandler, updated: cst.ExceptHandler
    ) -> cst.ExceptHandler:
        self._exc.pop()
        self._tainted.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        # An exception handler (`@app.exception_handler(E)`): its second parameter.
        handler = any(
            m.matches(d.decorator, m.Call(func=m.Attribute(attr=m.Name("exception_handler"))))
            for d in node.decorators
        )
        params = node.params.params
        names = {params[1].name.value} if handler and len(params) > 1 else set()
        self._exc.append(names)
        self._tainted.append(set())

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._exc.pop()
        self._tainted.pop()
        return updated

    def _names(self) -> set[str]:
        return set().union(*self._exc, *self._tainted) if self._exc else set()

    def _exception(self) -> str | None:
        for names in reversed(self._exc):
            if names:
                return next(iter(names))
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        # `message = f"lookup failed: {e}"`: the local carries the text too.
        if self._tainted and _uses(node.value, self._names()):
            for t in node.targets:
                if isinstance(t.target, cst.Name):
                    self._tainted[-1].add(t.target.value)

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        line = self.line_of(original)
        exc = self._exception()
        if line not in self.lines or exc is None or len(updated.body) != 1:
            return updated
        names = self._names()
        stmt = updated.body[0]
        if isinstance(stmt, cst.Raise) and stmt.exc is not None:
            sealed = self._sealed(stmt.exc, names, top=True)
            new_stmt: cst.BaseSmallStatement = stmt.with_changes(exc=sealed)
        elif isinstance(stmt, cst.Return) and stmt.value is not None:
            new_stmt = stmt.with_changes(value=self._sealed(stmt.value, names, top=True))
        else:
            return updated
        if new_stmt.deep_equals(stmt):
            return updated
        self.done.add(line)
        log = cst.parse_statement(
            f'logger.error("request failed (error id %s)", error_id, exc_info={exc})\n'
        )
        make_id = cst.parse_statement("error_id = uuid.uuid4().hex\n")
        return cst.FlattenSentinel(
            [
                make_id.with_changes(leading_lines=updated.leading_lines),
                log,
                updated.with_changes(body=[new_stmt], leading_lines=[]),
            ]
        )

    def _sealed(
        self, node: cst.BaseExpression, names: set[str], top: bool = False
    ) -> cst.BaseExpression:
        """The expression with each slot that carries the exception's text replaced.

        The raised or returned call (HTTPException, JSONResponse) keeps its other
        arguments; a dict (a JSON body) keeps its other values; any other expression
        that uses the text is replaced whole (`str(e)`, `"failed: %s" % e`).
        """
        if top and isinstance(node, cst.Call):
            args = [
                a.with_changes(value=self._sealed(a.value, names))
                if isinstance(a.value, cst.Dict)
                else a.with_changes(value=_message())
                if _uses(a.value, names)
                else a
                for a in node.args
            ]
            return node.with_changes(args=args)
        if isinstance(node, cst.Dict):
            elements = [
                e.with_changes(value=self._sealed(e.value, names))
                if isinstance(e, cst.DictElement) and isinstance(e.value, cst.Dict)
                else e.with_changes(value=_message())
                if isinstance(e, cst.DictElement) and _uses(e.value, names)
                else e
                for e in node.elements
            ]
            return node.with_changes(elements=elements)
        return _message() if _uses(node, names) else node
