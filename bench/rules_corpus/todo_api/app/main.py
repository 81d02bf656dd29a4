import uuid
from datetime import datetime

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordRequestForm

from .auth import authenticate, create_access_token, get_current_user, pwd_context
from .config import todos_table, users_table
from .schemas import Todo, TodoCreate, TodoUpdate, UserCreate

app = FastAPI(title="Todo API")


@app.post("/auth/register", status_code=201)
def register(user: UserCreate):
    if users_table.get_item(Key={"username": user.username}).get("Item"):
        raise HTTPException(400, "Username already registered")
    item = user.dict()
    item["hashed_password"] = pwd_context.hash(item.pop("password"))
    users_table.put_item(Item=item)
    return {"username": user.username}


@app.post("/auth/token")
def login(form: OAuth2PasswordRequestForm = Depends()):
    user = authenticate(form.username, form.password)
    if not user:
        raise HTTPException(401, "Incorrect username or password")
    return {"access_token": create_access_token(user["username"]), "token_type": "bearer"}


@app.get("/todos", response_model=list[Todo])
async def list_todos(user: dict = Depends(get_current_user)):
    resp = todos_table.scan()
    return [t for t in resp["Items"] if t["owner"] == user["username"]]


@app.post("/todos", response_model=Todo, status_code=201)
async def create_todo(body: TodoCreate, user: dict = Depends(get_current_user)):
    item = {
        "todo_id": str(uuid.uuid4()),
        "owner": user["username"],
        "created_at": datetime.utcnow().isoformat(),
        "completed": False,
        **body.dict(exclude_none=True),
    }
    todos_table.put_item(Item=item)
    return item


@app.get("/todos/{todo_id}")
async def get_todo(todo_id: str, user: dict = Depends(get_current_user)):
    resp = todos_table.get_item(Key={"todo_id": todo_id})
    if "Item" not in resp:
        raise HTTPException(404, "Todo not found")
    if resp["Item"]["owner"] != user["username"]:
        raise HTTPException(403, "Not allowed")
    return resp["Item"]


@app.patch("/todos/{todo_id}", response_model=Todo)
async def update_todo(todo_id: str, body: TodoUpdate, user: dict = Depends(get_current_user)):
    data = body.dict(exclude_unset=True)
    if not data:
        raise HTTPException(400, "No fields to update")
    expr = "SET " + ", ".join(f"{k} = :{k}" for k in data)
    try:
        resp = todos_table.update_item(
            Key={"todo_id": todo_id},
            UpdateExpression=expr,
            ConditionExpression="#o = :me",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={**{f":{k}": v for k, v in data.items()}, ":me": user["username"]},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        raise HTTPException(400, detail=e.response["Error"]["Message"])
    return resp["Attributes"]


@app.delete("/todos/{todo_id}", status_code=204)
async def delete_todo(todo_id: str, user: dict = Depends(get_current_user)):
    todos_table.delete_item(Key={"todo_id": todo_id})
