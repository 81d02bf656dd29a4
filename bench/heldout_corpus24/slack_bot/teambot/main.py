from fastapi import FastAPI

from . import admin, links, oauth, slack

app = FastAPI(title="TeamBot", docs_url=None, redoc_url=None)
app.include_router(oauth.router)
app.include_router(slack.router)
app.include_router(admin.router)
app.include_router(links.router)


@app.get("/healthz")
def healthz() -> dict:
    return {"ok": True}
