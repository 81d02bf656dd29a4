"""Fast walks over syntax trees, cached per function: several rules walk the same bodies.

`walk(node)` visits exactly what `ast.walk` visits, in the same (breadth-first) order, and
`own_nodes(node)` what a depth-first walk that stops at nested functions, classes and
lambdas visits; both return lists, remembered per root node for as long as its tree lives.
`ast.walk` is a generator over `iter_child_nodes` over `iter_fields`: three generator
frames per node. Rules walking every function of a large project spent a third of their
time there.
"""

from __future__ import annotations

import ast
from weakref import WeakKeyDictionary

# Fields that only ever hold strings, numbers or flags: skipping them saves a getattr and a
# type test per node. Operator and context fields (`op`, `ctx`) hold nodes and are kept, since
# `ast.walk` yields them too.
_SCALARS = frozenset(
    {
        "id",
        "arg",
        "attr",
        "name",
        "level",
        "module",
        "is_async",
        "conversion",
        "simple",
        "type_comment",
        "kind",
        "tag",
        "value_str",
    }
)
_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

# values never hold their key (nodes have no parent links), so entries die with the tree
_BFS: WeakKeyDictionary[ast.AST, list[ast.AST]] = WeakKeyDictionary()
_OWN: WeakKeyDictionary[ast.AST, list[ast.AST]] = WeakKeyDictionary()


def _names(kind: type[ast.AST]) -> tuple[str, ...]:
    names = _FIELDS[kind] = tuple(f for f in kind._fields if f not in _SCALARS)
    return names


def children(node: ast.AST) -> list[ast.AST]:
    """The child nodes, in the order of `ast.iter_child_nodes`."""
    out: list[ast.AST] = []
    _extend(out, node)
    return out


def _extend(out: list[ast.AST], node: ast.AST) -> None:
    names = _FIELDS.get(type(node))
    if names is None:
        names = _names(type(node))
    for name in names:
        child = getattr(node, name, None)
        if type(child) is list:
            for c in child:
                if isinstance(c, ast.AST):
                    out.append(c)
        elif isinstance(child, ast.AST):
            out.append(child)


def nodes(root: ast.AST) -> list[ast.AST]:
    """`ast.walk(root)` as a list (same nodes, same order), not remembered: for the small
    expressions and statements walked once, where `walk`'s cache would cost more."""
    order: list[ast.AST] = [root]
    extend = _extend
    for node in order:
        extend(order, node)
    return order


def walk(root: ast.AST) -> list[ast.AST]:
    """Every node under root, root first, in `ast.walk` order (breadth-first)."""
    rest = _BFS.get(root)
    if rest is None:
        order: list[ast.AST] = [root]
        extend = _extend
        # the list is its own queue: each node's children go to the end as it is reached
        for node in order:
            extend(order, node)
        rest = _BFS[root] = order[1:]
    return [root, *rest]


def own_nodes(root: ast.AST) -> list[ast.AST]:
    """Nodes under root (not root), skipping nested functions, classes and lambdas."""
    out = _OWN.get(root)
    if out is None:
        out = []
        todo = children(root)
        while todo:
            n = todo.pop()
            if isinstance(n, _NESTED):
                continue
            out.append(n)
            _extend(todo, n)
        _OWN[root] = out
    return out


def signature(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """What a def holds besides its body: decorators, parameters (defaults, annotations),
    return annotation. With the body's nodes, every node `walk(fn)` visits but fn."""
    return [*fn.decorator_list, fn.args, *([fn.returns] if fn.returns else [])]


# Where statements nest: an except handler, like any statement, sits only under statements
# (expressions hold no statements), so these fields reach every one of them.
_BLOCKS = ("body", "handlers", "orelse", "finalbody", "cases")


def own_statements(root: ast.AST) -> list[ast.AST]:
    """The statements, except handlers and match cases of `own_nodes(root)`, in its order."""
    out: list[ast.AST] = []
    todo = _blocks(root)
    while todo:
        n = todo.pop()
        if isinstance(n, _NESTED):
            continue
        out.append(n)
        todo += _blocks(n)
    return out


def _blocks(node: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    for name in _BLOCKS:
        child = getattr(node, name, None)
        if type(child) is list:
            out += child
    return out
