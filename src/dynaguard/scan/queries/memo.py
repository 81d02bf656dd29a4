"""Project-wide query results computed once per linked project (keyed by value, never id()).

A query that reads the whole project (which tables are per-user, whether the apps have
users) gives one answer per project: rules that ask it again get the first answer. Only a
linked project's answers are kept (before linking, routes and calls are still collected),
and a project rebuilt without a failing file is a new project with no answers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from dynaguard.scan.index import Project

__all__ = ["once"]

T = TypeVar("T")


def once(project: Project, key: Hashable, compute: Callable[[Project], T]) -> T:
    """`compute(project)`, computed once per linked project under `key`."""
    if not project.linked:
        return compute(project)
    answers = project.answers
    if key not in answers:
        answers[key] = compute(project)
    return cast(T, answers[key])
