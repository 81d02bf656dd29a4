from fastapi import FastAPI

from .views import accounts, orders, products

app = FastAPI(title="inventory", version="2.3.0")

app.include_router(products.router)
app.include_router(products.admin_router)
app.include_router(orders.router)
app.include_router(accounts.router)
app.include_router(accounts.watch_router)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
