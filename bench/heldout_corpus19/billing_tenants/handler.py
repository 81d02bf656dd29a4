from mangum import Mangum

from billing.app import app

handler = Mangum(app, lifespan="auto")
