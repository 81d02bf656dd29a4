from typing import Annotated, Literal

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, EmailStr, Field

from .auth import FirebaseUser, signed_in
from .routing import AuditedRoute
from .services import docs, invites, members, orgs

router = APIRouter(route_class=AuditedRoute, tags=["workspaces"])

OrgId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
DocId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
Uid = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9]+$")]
Token = Annotated[str, Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
User = Annotated[FirebaseUser, Depends(signed_in)]

ADMINS = ("owner", "admin")


class OrgIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field("", max_length=500)


class OrgPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=80)
    description: str | None = Field(None, max_length=500)
    plan: Literal["free", "team", "enterprise"] | None = None


class OrgOut(BaseModel):
    org_id: str
    display_name: str
    description: str = ""
    plan: str


class MemberOut(BaseModel):
    uid: str
    email: str | None = None
    role: str


class InviteIn(BaseModel):
    email: EmailStr
    role: Literal["member", "admin"] = "member"


class InviteOut(BaseModel):
    token: str
    email: str
    role: str


class RoleIn(BaseModel):
    role: Literal["member", "admin"]


class DocIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field("", max_length=100_000)


class DocOut(BaseModel):
    doc_id: str
    title: str | None = None
    body: str | None = None
    author_uid: str | None = None


class MoveIn(BaseModel):
    target_org: str = Field(pattern=r"^[0-9a-f]{32}$")


# -- organizations -------------------------------------------------------------

@router.post("/orgs", response_model=OrgOut, status_code=201)
def create_org(body: OrgIn, user: User):
    return orgs.create(user.uid, user.email, body.name, body.description)


@router.get("/orgs/{org_id}", response_model=OrgOut)
def get_org(org_id: OrgId, user: User):
    members.require(org_id, user.uid)
    return orgs.get(org_id)


@router.patch("/orgs/{org_id}", response_model=OrgOut)
def update_org(org_id: OrgId, body: OrgPatch, user: User):
    members.require(org_id, user.uid, roles=ADMINS)
    return orgs.update(org_id, body.model_dump(exclude_unset=True))


# -- members -------------------------------------------------------------------

@router.get("/orgs/{org_id}/members", response_model=list[MemberOut])
async def list_members(org_id: OrgId, user: User):
    await run_in_threadpool(members.require, org_id, user.uid)
    return members.list(org_id)


@router.put("/orgs/{org_id}/members/{uid}/role", response_model=MemberOut)
def change_role(org_id: OrgId, uid: Uid, body: RoleIn, user: User):
    members.require(org_id, user.uid, roles=ADMINS)
    return members.set_role(org_id, uid, body.role)


@router.delete("/orgs/{org_id}/members/me", status_code=204)
def leave_org(org_id: OrgId, user: User):
    members.leave(org_id, user.uid)
    return Response(status_code=204)


# -- invitations ---------------------------------------------------------------

@router.post("/orgs/{org_id}/invites", response_model=InviteOut, status_code=201)
def invite(org_id: OrgId, body: InviteIn, user: User):
    members.require(org_id, user.uid, roles=ADMINS)
    return invites.create(org_id, user.uid, body.email, body.role)


@router.post("/orgs/{org_id}/invites/{token}/accept", response_model=MemberOut)
def accept_invite(org_id: OrgId, token: Token, user: User):
    invite = invites.claim(org_id, token, user.uid, user.email)
    members.add(org_id, user.uid, user.email, invite["role"])
    return {"uid": user.uid, "email": user.email, "role": invite["role"]}


@router.delete("/orgs/{org_id}/invites/{token}", status_code=204)
def revoke_invite(org_id: OrgId, token: Token):
    try:
        invites.revoke(org_id, token)
    except ClientError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "invitation not found")
    return Response(status_code=204)


# -- documents -----------------------------------------------------------------

@router.get("/orgs/{org_id}/docs", response_model=list[DocOut], response_model_exclude_none=True)
def list_docs(org_id: OrgId, user: User, fields: str | None = Query(None, max_length=200)):
    members.require(org_id, user.uid)
    return docs.list(org_id, fields)


@router.get("/orgs/{org_id}/docs/{doc_id}")
def get_doc(org_id: OrgId, doc_id: str, user: User):
    doc = docs.get(org_id, doc_id)
    if doc is None or "deleted_at" in doc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "document not found")
    return doc


@router.put("/orgs/{org_id}/docs/{doc_id}", response_model=DocOut)
def edit_doc(org_id: OrgId, doc_id: DocId, body: DocIn, user: User):
    doc = docs.get(org_id, doc_id)
    if doc is None or "deleted_at" in doc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "document not found")
    if doc["author_uid"] != user.uid:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the author may edit this document")
    return docs.edit(org_id, doc_id, user.uid, body.title, body.body)


@router.post("/orgs/{org_id}/docs/{doc_id}/move", response_model=DocOut)
def move_doc(org_id: OrgId, doc_id: DocId, body: MoveIn, user: User):
    members.require(org_id, user.uid)
    doc = docs.get(org_id, doc_id)
    if doc is None or doc["author_uid"] != user.uid:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "document not found")
    return docs.move(doc, body.target_org, user.uid)
