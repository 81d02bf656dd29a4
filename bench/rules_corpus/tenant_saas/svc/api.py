import hmac
import uuid
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel

from . import store

app = FastAPI(title="tenant saas")


class Caller(BaseModel):
    tenant_id: str
    key_id: str
    role: str


def caller(x_api_key: str = Header(...)) -> Caller:
    key_id, _, secret = x_api_key.partition(".")
    record = store.get(f"KEY#{key_id}", "KEY")
    if record is None or not hmac.compare_digest(record["secret"], secret):
        raise HTTPException(401, "bad api key")
    return Caller(tenant_id=record["tenant_id"], key_id=key_id, role=record.get("role", "member"))


class ProjectIn(BaseModel):
    name: str
    settings: dict[str, Any] = {}


class MemberIn(BaseModel):
    email: str
    role: str = "member"


@app.post("/projects", status_code=201)
def create_project(body: ProjectIn, me: Caller = Depends(caller)):
    project_id = uuid.uuid4().hex
    store.put({"pk": f"TENANT#{me.tenant_id}", "sk": f"PROJECT#{project_id}", **body.model_dump()})
    return {"project_id": project_id}


@app.get("/projects")
def list_projects(me: Caller = Depends(caller), fields: str = Query("sk")):
    return store.list_prefix(f"TENANT#{me.tenant_id}", "PROJECT#", fields)


@app.get("/projects/{project_id}")
def get_project(project_id: str, me: Caller = Depends(caller)):
    try:
        found = store.get(f"TENANT#{me.tenant_id}", f"PROJECT#{project_id}")
    except store.StoreError as err:
        raise HTTPException(502, detail=str(err))
    if found is None:
        raise HTTPException(404)
    return found


@app.patch("/projects/{project_id}/settings")
def patch_settings(project_id: str, settings: dict[str, Any], me: Caller = Depends(caller)):
    store.update(f"TENANT#{me.tenant_id}", f"PROJECT#{project_id}", {"settings": settings})
    return {"ok": True}


@app.post("/members", status_code=201)
def invite(body: MemberIn, me: Caller = Depends(caller)):
    if me.role != "owner":
        raise HTTPException(403)
    store.put({"pk": f"TENANT#{me.tenant_id}", "sk": f"MEMBER#{body.email}", "role": body.role})
    return {"invited": body.email}


@app.post("/tenants/{tenant_id}/plan")
def change_plan(tenant_id: str, plan: str, me: Caller = Depends(caller)):
    store.update(f"TENANT#{tenant_id}", "META", {"plan": plan, "status": "active"})
    return {"plan": plan}
