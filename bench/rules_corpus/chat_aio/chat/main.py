from fastapi import FastAPI

from .rooms import router

app = FastAPI()
app.include_router(router)
