from fastapi import FastAPI

from . import admin, teams
from .users import UserRead, UserCreate, UserUpdate, auth_backend, fastapi_users

app = FastAPI(title="Teams")

app.include_router(
    fastapi_users.get_auth_router(auth_backend), prefix="/auth/jwt", tags=["auth"]
)
app.include_router(
    fastapi_users.get_register_router(UserRead, UserCreate), prefix="/auth", tags=["auth"]
)
app.include_router(
    fastapi_users.get_users_router(UserRead, UserUpdate), prefix="/users", tags=["users"]
)
app.include_router(teams.router)
app.include_router(admin.router)
