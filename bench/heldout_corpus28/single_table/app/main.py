import logging

from fastapi import FastAPI
from mangum import Mangum

from .auth import JWTAuthMiddleware
from .routes import admin, me, orders, public

logging.getLogger().setLevel(logging.INFO)

app = FastAPI(title="shop-api", root_path="/prod")
app.add_middleware(JWTAuthMiddleware)

app.include_router(me.router)
app.include_router(orders.router)
app.include_router(public.router)
app.include_router(admin.router)


@app.get("/healthz")
def healthz():
    return {"ok": True}


handler = Mangum(app, lifespan="off", api_gateway_base_path="/prod")
