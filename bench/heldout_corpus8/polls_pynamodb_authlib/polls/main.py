from contextlib import asynccontextmanager

from fastapi import FastAPI

from .api import admin, polls, profiles
from .models import ALL_MODELS
from .settings import get_settings


@asynccontextmanager
async def lifespan(app: FastAPI):
    if get_settings().create_tables:
        for model in ALL_MODELS:
            if not model.exists():
                model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    yield


app = FastAPI(title="polls", lifespan=lifespan)
for router in (polls, profiles, admin):
    app.include_router(router)
