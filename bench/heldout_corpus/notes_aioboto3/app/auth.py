import os
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from jose import JWTError, jwt
from passlib.context import CryptContext
from pydantic import BaseModel, EmailStr, Field

from .db import NotesRepository, now

SECRET_KEY = os.environ.get("JWT_SECRET", "change-me")
ALGORITHM = "HS256"
TOKEN_TTL = timedelta(hours=12)

pwd = CryptContext(schemes=["bcrypt"], deprecated="auto")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/login")
router = APIRouter(prefix="/auth", tags=["auth"])
repo = NotesRepository()


class SignupIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8)
    display_name: str = Field(max_length=80)
    role: str = "member"


class CurrentUser(BaseModel):
    email: str
    role: str


def create_access_token(email: str, role: str) -> str:
    expire = datetime.now(timezone.utc) + TOKEN_TTL
    return jwt.encode({"sub": email, "role": role, "exp": expire}, SECRET_KEY, algorithm=ALGORITHM)


async def get_current_user(token: str = Depends(oauth2_scheme)) -> CurrentUser:
    credentials_exception = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except JWTError:
        raise credentials_exception
    email = payload.get("sub")
    if email is None:
        raise credentials_exception
    return CurrentUser(email=email, role=payload.get("role", "member"))


async def require_admin(user: CurrentUser = Depends(get_current_user)) -> CurrentUser:
    if user.role != "admin":
        raise HTTPException(status_code=403, detail="Admins only")
    return user


@router.post("/signup", status_code=201)
async def signup(body: SignupIn):
    item = {
        "pk": f"USER#{body.email}",
        "sk": "PROFILE",
        "email": body.email,
        "display_name": body.display_name,
        "password_hash": pwd.hash(body.password),
        "role": body.role,
        "created_at": now(),
    }
    await repo.create_user(item)
    return {"access_token": create_access_token(body.email, body.role), "token_type": "bearer"}


@router.post("/login")
async def login(form: OAuth2PasswordRequestForm = Depends()):
    user = await repo.get_user(form.username)
    if not user or not pwd.verify(form.password, user["password_hash"]):
        raise HTTPException(status_code=401, detail="Incorrect email or password")
    return {"access_token": create_access_token(user["email"], user["role"]), "token_type": "bearer"}
