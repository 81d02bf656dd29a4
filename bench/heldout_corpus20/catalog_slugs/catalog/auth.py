import os
from datetime import timedelta

import jwt
from botocore.exceptions import ClientError
from dyntastic import A
from fastapi import APIRouter, Depends, Form, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from passlib.context import CryptContext
from pydantic import EmailStr

from .models import User, utcnow

SECRET_KEY = os.environ["JWT_SECRET"]
ALGORITHM = "HS256"

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")

router = APIRouter(prefix="/auth", tags=["auth"])


def create_access_token(username: str) -> str:
    payload = {"sub": username, "exp": utcnow() + timedelta(hours=12)}
    return jwt.encode(payload, SECRET_KEY, algorithm=ALGORITHM)


def get_current_user(token: str = Depends(oauth2_scheme)) -> User:
    unauthorized = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        raise unauthorized
    user = User.safe_get(payload.get("sub", ""))
    if user is None:
        raise unauthorized
    return user


def require_admin(user: User = Depends(get_current_user)) -> User:
    if user.role != "admin":
        raise HTTPException(status_code=403, detail="Admins only")
    return user


@router.post("/register", status_code=201)
def register(
    username: str = Form(..., pattern=r"^[a-z0-9_]{3,32}$"),
    email: EmailStr = Form(...),
    password: str = Form(..., min_length=8),
):
    user = User(username=username, email=email, password_hash=pwd_context.hash(password))
    try:
        user.save(condition=A.username.not_exists())
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Username already taken")
        raise
    return {"username": user.username}


@router.post("/token")
def login(form: OAuth2PasswordRequestForm = Depends()):
    user = User.safe_get(form.username)
    if user is None or not pwd_context.verify(form.password, user.password_hash):
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    return {"access_token": create_access_token(user.username), "token_type": "bearer"}
