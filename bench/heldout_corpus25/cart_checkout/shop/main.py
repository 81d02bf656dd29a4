from fastapi import FastAPI

from .routes import cart, orders, staff, webhooks
from .settings import get_settings

settings = get_settings()

app = FastAPI(
    title="shop-api",
    version="1.4.0",
    swagger_ui_init_oauth={
        "clientId": "spa-client",
        "usePkceWithAuthorizationCodeGrant": True,
        "additionalQueryStringParams": {"audience": settings.auth0_audience},
    },
)

app.include_router(cart.router)
app.include_router(orders.router)
app.include_router(staff.router)
app.include_router(webhooks.router)


@app.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
