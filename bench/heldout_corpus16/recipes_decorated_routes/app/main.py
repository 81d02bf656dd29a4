from fastapi import FastAPI
from mangum import Mangum

from app.observability import logger
from app.routes import router

app = FastAPI(title="recipes")
app.include_router(router)


@app.get("/healthz")
def healthz():
    return {"ok": True}


handler = logger.inject_lambda_context(Mangum(app, lifespan="off"), clear_state=True)
