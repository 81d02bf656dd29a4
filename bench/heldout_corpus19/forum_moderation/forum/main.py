from fastapi import FastAPI
from mangum import Mangum

from .routes import mod, posts, reports, threads

app = FastAPI(title="forum-moderation")
app.include_router(threads)
app.include_router(posts)
app.include_router(reports)
app.include_router(mod)


@app.get("/healthz")
def healthz():
    return {"ok": True}


handler = Mangum(app)
