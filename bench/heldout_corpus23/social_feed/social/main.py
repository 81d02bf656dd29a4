import logging

from fastapi import APIRouter, FastAPI, Query

from .models import Follow, Profile, user_pk
from .posts import router as posts_router
from .schemas import USERNAME_RE
from .settings import get_settings
from .users import router as users_router

logger = logging.getLogger("social")

app = FastAPI(title="social-feed", version="0.9.2")
app.include_router(users_router)
app.include_router(posts_router)

internal = APIRouter(prefix="/internal", include_in_schema=False)


@internal.post("/reindex", status_code=202)
def reindex_counters(username: str = Query(pattern=USERNAME_RE)):
    followers = Follow.followers.count(
        f"FOLLOWERS#{username}", filter_condition=Follow.status == "approved"
    )
    following = Follow.count(
        user_pk(username),
        Follow.sk.startswith("FOLLOWS#"),
        filter_condition=Follow.status == "approved",
    )
    Profile(*Profile.key_for(username)).update(
        actions=[
            Profile.followers_count.set(followers),
            Profile.following_count.set(following),
        ],
        condition=Profile.pk.exists(),
    )
    logger.info("reindexed %s: %s followers, %s following", username, followers, following)
    return {"username": username, "followers": followers, "following": following}


app.include_router(internal)


@app.get("/healthz")
def healthz():
    return {"ok": True, "table": get_settings().table_name}
