from fastapi import FastAPI

from .routers import orders, products

app = FastAPI(title="shop")
app.include_router(orders.router)
app.include_router(products.router)
