from fastapi import FastAPI
from fastapi.responses import JSONResponse

from .api import listings, offers, reviews
from .services.errors import NotFound

app = FastAPI(title="marketplace")
app.include_router(listings.router)
app.include_router(offers.router)
app.include_router(reviews.router)


@app.exception_handler(NotFound)
def not_found(_request, _exc):
    return JSONResponse({"detail": "not found"}, status_code=404)


@app.get("/healthz")
def healthz():
    return {"ok": True}
