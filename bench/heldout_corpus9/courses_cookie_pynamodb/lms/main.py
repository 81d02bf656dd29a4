from fastapi import FastAPI
from mangum import Mangum

from . import auth, routes

app = FastAPI(title="LMS API", version="0.3.0")
app.include_router(auth.router)
app.include_router(routes.router, prefix="/api")

handler = Mangum(app)
