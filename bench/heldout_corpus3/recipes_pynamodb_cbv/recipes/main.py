from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from mangum import Mangum

from .views import router

app = FastAPI(title="recipes")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://recipes.example.org"],
    allow_methods=["*"],
    allow_headers=["Authorization", "Content-Type"],
)
app.include_router(router)


@app.get("/health")
def health():
    return {"status": "ok"}


handler = Mangum(app)
