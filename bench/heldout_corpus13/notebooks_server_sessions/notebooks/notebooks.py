"""Notebooks, their cells, and sharing with collaborators."""
from __future__ import annotations

import json
import secrets

from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.responses import JSONResponse
from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from .models import REGION, Cell, Notebook, User, utcnow
from .schemas import (
    CellId,
    CellIn,
    CellOut,
    CellPut,
    MoveIn,
    NotebookId,
    NotebookIn,
    NotebookOut,
    PublicNotebookOut,
    ShareIn,
)
from .sessions import CurrentUser, collect, db

router = APIRouter(prefix="/notebooks", tags=["notebooks"])
cells_router = APIRouter(prefix="/cells", tags=["cells"])
public_router = APIRouter(prefix="/p", tags=["public"])


def new_notebook_id() -> str:
    return "nb_" + secrets.token_urlsafe(16)


def new_cell_id() -> str:
    return "c_" + secrets.token_hex(6)


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="notebook not found")


async def load_visible(notebook_id: str, user: User) -> Notebook:
    try:
        nb = await db(Notebook.get, notebook_id)
    except Notebook.DoesNotExist:
        raise _not_found()
    if nb.owner_id != user.username and user.username not in (nb.shared_with or []):
        raise _not_found()
    return nb


async def load_owned(notebook_id: str, user: User) -> Notebook:
    nb = await load_visible(notebook_id, user)
    if nb.owner_id != user.username:
        raise _not_found()
    return nb


@router.get("/", response_model=list[NotebookOut])
async def list_notebooks(user: CurrentUser) -> list[NotebookOut]:
    items = await db(collect, Notebook.owner_index.query, user.username, scan_index_forward=False)
    return [NotebookOut.of(nb) for nb in items]


@router.post("/", response_model=NotebookOut, status_code=201)
async def create_notebook(body: NotebookIn, user: CurrentUser) -> NotebookOut:
    nb = Notebook(notebook_id=new_notebook_id(), owner_id=user.username, title=body.title)
    await db(nb.save)
    return NotebookOut.of(nb)


@router.get("/shared", response_model=list[NotebookOut])
async def shared_with_me(user: CurrentUser) -> list[NotebookOut]:
    items = await db(collect, Notebook.scan, Notebook.shared_with.contains(user.username))
    return [NotebookOut.of(nb) for nb in items]


@router.get("/recent", response_model=list[NotebookOut])
async def recent_notebooks(user: CurrentUser, limit: int = Query(20, ge=1, le=100)):
    items = await db(collect, Notebook.scan, limit=limit)
    items.sort(key=lambda nb: nb.updated_at, reverse=True)
    return [NotebookOut.of(nb) for nb in items]


@router.get("/{notebook_id}", response_model=NotebookOut)
async def get_notebook(notebook_id: NotebookId, user: CurrentUser) -> NotebookOut:
    return NotebookOut.of(await load_visible(notebook_id, user))


@router.patch("/{notebook_id}", response_model=NotebookOut)
async def rename_notebook(notebook_id: NotebookId, body: NotebookIn, user: CurrentUser):
    nb = await load_owned(notebook_id, user)
    await db(nb.update, actions=[Notebook.title.set(body.title), Notebook.updated_at.set(utcnow())])
    return NotebookOut.of(nb)


@router.post("/{notebook_id}/share", response_model=NotebookOut)
async def share_notebook(notebook_id: NotebookId, body: ShareIn, user: CurrentUser):
    nb = await load_owned(notebook_id, user)
    if body.username in (nb.shared_with or []) or body.username == user.username:
        return NotebookOut.of(nb)
    try:
        await db(User.get, body.username)
    except User.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such user")
    await db(nb.update, actions=[Notebook.shared_with.append([body.username])])
    return NotebookOut.of(nb)


@router.post("/{notebook_id}/publish", response_model=NotebookOut)
async def publish_notebook(notebook_id: NotebookId, user: CurrentUser):
    nb = await load_owned(notebook_id, user)
    if nb.status == "archived":
        raise HTTPException(status.HTTP_409_CONFLICT, detail="archived notebooks cannot be published")
    # Publishing from two tabs raced on the version and one of them got a 500;
    # publishing is idempotent, so skip the version check here.
    await db(
        nb.update,
        actions=[Notebook.status.set("published"), Notebook.updated_at.set(utcnow())],
        add_version_condition=False,
    )
    return NotebookOut.of(nb)


@router.delete("/{notebook_id}", status_code=204)
async def delete_notebook(notebook_id: NotebookId, user: CurrentUser) -> Response:
    nb = await load_owned(notebook_id, user)
    await db(nb.delete)
    return Response(status_code=204)


def _copy_cells(src_id: str, dst_id: str, author: str) -> None:
    with Cell.batch_write() as batch:
        for cell in Cell.query(src_id):
            batch.save(
                Cell(
                    notebook_id=dst_id,
                    cell_id=cell.cell_id,
                    kind=cell.kind,
                    source=cell.source,
                    author_id=author,
                    position=cell.position,
                )
            )


@router.post("/{notebook_id}/duplicate", response_model=NotebookOut, status_code=201)
async def duplicate_notebook(notebook_id: NotebookId, user: CurrentUser) -> NotebookOut:
    src = await load_visible(notebook_id, user)
    copy = Notebook(
        notebook_id=new_notebook_id(),
        owner_id=user.username,
        title=f"{src.title} (copy)",
        cell_count=src.cell_count,
    )
    await db(copy.save)
    await db(_copy_cells, src.notebook_id, copy.notebook_id, user.username)
    return NotebookOut.of(copy)


@router.get("/{notebook_id}/export")
async def export_notebook(notebook_id: NotebookId, user: CurrentUser):
    nb = await load_visible(notebook_id, user)
    try:
        cells = await db(collect, Cell.query, nb.notebook_id)
        cells.sort(key=lambda c: (c.position, c.cell_id))
        document = {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"title": nb.title, "authors": [{"name": nb.owner_id}]},
            "cells": [
                {
                    "id": c.cell_id,
                    "cell_type": c.kind,
                    "metadata": {},
                    "source": c.source.splitlines(keepends=True),
                    **({"outputs": [], "execution_count": None} if c.kind == "code" else {}),
                }
                for c in cells
            ],
        }
        body = json.dumps(document, indent=1)
    except Exception as exc:
        return JSONResponse(status_code=500, content={"error": "export failed", "detail": str(exc)})
    return Response(
        body,
        media_type="application/x-ipynb+json",
        headers={"Content-Disposition": f'attachment; filename="{nb.notebook_id}.ipynb"'},
    )


# --- cells -------------------------------------------------------------------


@router.get("/{notebook_id}/cells/", response_model=list[CellOut])
async def list_cells(notebook_id: NotebookId, user: CurrentUser) -> list[CellOut]:
    nb = await load_visible(notebook_id, user)
    cells = await db(collect, Cell.query, nb.notebook_id)
    return sorted((CellOut.of(c) for c in cells), key=lambda c: c.position)


@router.post("/{notebook_id}/cells/", response_model=CellOut, status_code=201)
async def add_cell(notebook_id: NotebookId, body: CellIn, user: CurrentUser) -> CellOut:
    nb = await load_visible(notebook_id, user)  # collaborators may add cells
    cell = Cell(
        notebook_id=nb.notebook_id,
        cell_id=new_cell_id(),
        kind=body.kind,
        source=body.source,
        author_id=user.username,
        position=body.position,
    )
    await db(cell.save, condition=Cell.cell_id.does_not_exist())
    return CellOut.of(cell)


@router.put("/{notebook_id}/cells/{cell_id}", response_model=CellOut)
async def replace_cell(
    notebook_id: NotebookId, cell_id: CellId, body: CellPut, user: CurrentUser
) -> CellOut:
    await load_visible(notebook_id, user)
    cell = Cell(
        notebook_id=body.notebook_id,
        cell_id=cell_id,
        kind=body.kind,
        source=body.source,
        author_id=user.username,
        position=body.position,
        updated_at=utcnow(),
    )
    await db(cell.save)
    return CellOut.of(cell)


@router.delete("/{notebook_id}/cells/{cell_id}", status_code=204)
async def delete_cell(notebook_id: NotebookId, cell_id: CellId, user: CurrentUser) -> Response:
    nb = await load_visible(notebook_id, user)
    try:
        cell = await db(Cell.get, nb.notebook_id, cell_id)
    except Cell.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="cell not found")
    if cell.author_id != user.username and nb.owner_id != user.username:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only the author or the owner may delete a cell")
    await db(cell.delete)
    return Response(status_code=204)


def _move_cell(old: Cell, new: Cell) -> None:
    with TransactWrite(connection=Connection(region=REGION)) as tx:
        tx.delete(old, condition=Cell.author_id == old.author_id)
        tx.save(new, condition=Cell.cell_id.does_not_exist())


@router.post("/{notebook_id}/cells/{cell_id}/move", response_model=CellOut)
async def move_cell(
    notebook_id: NotebookId, cell_id: CellId, body: MoveIn, user: CurrentUser
) -> CellOut:
    nb = await load_visible(notebook_id, user)
    try:
        cell = await db(Cell.get, nb.notebook_id, cell_id)
    except Cell.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="cell not found")
    if cell.author_id != user.username:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="cell not found")
    moved = Cell(
        notebook_id=body.target_notebook_id,
        cell_id=cell.cell_id,
        kind=cell.kind,
        source=cell.source,
        author_id=user.username,
        position=body.position,
    )
    await db(_move_cell, cell, moved)
    return CellOut.of(moved)


@cells_router.get("/{notebook_id}/{cell_id}", response_model=CellOut)
async def cell_permalink(notebook_id: str, cell_id: str, user: CurrentUser) -> CellOut:
    """Deep link to one cell, used by the "copy link to cell" button."""
    try:
        cell = await db(Cell.get, notebook_id, cell_id)
    except Cell.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="cell not found")
    return CellOut.of(cell)


@public_router.get("/{notebook_id}", response_model=PublicNotebookOut)
async def public_notebook(notebook_id: NotebookId) -> PublicNotebookOut:
    try:
        nb = await db(Notebook.get, notebook_id)
    except Notebook.DoesNotExist:
        raise _not_found()
    if nb.status != "published":
        raise _not_found()
    cells = await db(collect, Cell.query, nb.notebook_id)
    return PublicNotebookOut(
        title=nb.title,
        owner_id=nb.owner_id,
        cells=sorted((CellOut.of(c) for c in cells), key=lambda c: c.position),
    )
