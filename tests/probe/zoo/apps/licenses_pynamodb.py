"""A licence registry: FastAPI + PynamoDB, trailing-slash routes, JWT signup and login.

Written as such services are: a licence's title is its key and the create answer
carries no id; users are `/users/{username}`; settings live at `/me/settings`; only a
user whose record says `role: admin` may delete a licence. OpenAPI 3.1 (FastAPI's own).
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

import os
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Response
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, Field
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from tests.probe.zoo.apps.common import (
    PASSWORD,
    RequestLog,
    Zoo,
    expect_ok,
    hash_password,
    issue,
    subject,
    table_name,
)

BUGS = {
    "create_overwrite": "POST /licenses/ saves without does_not_exist(): a title is replaced",
    "write_after_delete": "PATCH locks on `no version OR version = v`: recreates a deleted one",
    "user_bola": "GET /users/{username} returns anyone's profile (e-mail included)",
}


def _meta(style: str) -> type:
    """A PynamoDB Meta for a fresh table on the embedded DynamoDB (from the environment)."""
    return type(
        "Meta",
        (),
        {
            "table_name": table_name(style),
            "host": os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
            "region": os.environ["AWS_DEFAULT_REGION"],
            "billing_mode": "PAY_PER_REQUEST",
        },
    )


def _models() -> tuple[type[Model], type[Model]]:
    """PynamoDB models on fresh tables (the embedded DynamoDB, from the environment)."""

    class User(Model):
        Meta = _meta("lic-users")

        username = UnicodeAttribute(hash_key=True)
        email = UnicodeAttribute()
        password_hash = UnicodeAttribute()
        role = UnicodeAttribute(default="user")
        theme = UnicodeAttribute(default="light")
        newsletter = BooleanAttribute(default=False)
        settings_version = NumberAttribute(default=1)

    class License(Model):
        Meta = _meta("licenses")

        title = UnicodeAttribute(hash_key=True)
        product = UnicodeAttribute(null=True)
        seats = NumberAttribute(null=True)
        owner = UnicodeAttribute(null=True)
        version = NumberAttribute(null=True)

    for model in (User, License):
        model.create_table(wait=True)
    return User, License


class SignupIn(BaseModel):
    username: str = Field(pattern=r"^[a-z0-9_]{3,32}$")
    email: str
    password: str


class LoginIn(BaseModel):
    username: str
    password: str


class UserOut(BaseModel):
    username: str
    email: str
    role: str


class PublicUser(BaseModel):
    username: str


class Settings(BaseModel):
    theme: str = "light"
    newsletter: bool = False
    version: int


class LicenseIn(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    product: str
    seats: int = Field(ge=1, le=10_000)


class LicensePatch(BaseModel):
    product: str | None = None
    seats: int | None = Field(default=None, ge=1, le=10_000)
    version: int


class LicenseOut(BaseModel):
    title: str
    product: str | None = None
    seats: int | None = None
    owner: str | None = None
    version: int | None = None


def make_app(bug: str | None = None) -> Zoo:  # noqa: PLR0915
    """The registry with one planted bug (None: the clean twin)."""
    assert bug is None or bug in BUGS, bug
    User, License = _models()
    api = FastAPI(title="licence registry")
    oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/login")

    def current_user(token: Annotated[str, Depends(oauth2)]) -> Any:
        name = subject(token)
        try:
            return User.get(name) if name else None
        except DoesNotExist:
            return None

    def me(user: Annotated[Any, Depends(current_user)]) -> Any:
        if user is None:
            raise HTTPException(401, "Could not validate credentials")
        return user

    Me = Annotated[Any, Depends(me)]

    def out(user: Any) -> dict[str, Any]:
        return {"username": user.username, "email": user.email, "role": user.role}

    def licence(lic: Any) -> dict[str, Any]:
        seats = int(lic.seats) if lic.seats is not None else None
        version = int(lic.version) if lic.version is not None else None
        return {
            "title": lic.title,
            "product": lic.product,
            "seats": seats,
            "owner": lic.owner,
            "version": version,
        }

    @api.post("/auth/signup", status_code=201, response_model=UserOut)
    def signup(body: SignupIn) -> dict[str, Any]:
        user = User(body.username, email=body.email, password_hash=hash_password(body.password))
        try:
            user.save(condition=User.username.does_not_exist())
        except PutError:
            raise HTTPException(409, "Username already registered") from None
        return out(user)

    @api.post("/auth/login")
    def login(form: LoginIn) -> dict[str, str]:
        try:
            user = User.get(form.username)
        except DoesNotExist:
            user = None
        if user is None or user.password_hash != hash_password(form.password):
            raise HTTPException(401, "Incorrect username or password")
        return {"access_token": issue(user.username), "token_type": "bearer"}

    @api.get("/users/me", response_model=UserOut)
    def read_me(user: Me) -> dict[str, Any]:
        return out(user)

    @api.get("/users/{username}", response_model=UserOut | PublicUser)
    def read_user(username: str, user: Me) -> dict[str, Any]:
        if username != user.username and user.role != "admin" and bug != "user_bola":
            raise HTTPException(404, "User not found")
        try:
            return out(User.get(username))
        except DoesNotExist:
            raise HTTPException(404, "User not found") from None

    @api.delete("/users/{username}", status_code=204)
    def delete_user(username: str, user: Me) -> Response:
        if username != user.username and user.role != "admin":
            raise HTTPException(403, "Not allowed")
        User(username).delete()
        return Response(status_code=204)

    @api.get("/me/settings", response_model=Settings)
    def read_settings(user: Me) -> dict[str, Any]:
        return {"theme": user.theme, "newsletter": user.newsletter, "version": seen(user)}

    def seen(user: Any) -> int:
        return int(user.settings_version)

    @api.put("/me/settings", response_model=Settings)
    def write_settings(body: Settings, user: Me) -> dict[str, Any]:
        try:
            user.update(
                actions=[
                    User.theme.set(body.theme),
                    User.newsletter.set(body.newsletter),
                    User.settings_version.add(1),
                ],
                condition=User.settings_version == body.version,
            )
        except UpdateError:
            raise HTTPException(409, "Settings changed since you read them") from None
        return {"theme": user.theme, "newsletter": user.newsletter, "version": seen(user)}

    @api.get("/licenses/", response_model=list[LicenseOut])
    def list_licences(user: Me) -> list[dict[str, Any]]:
        every = [licence(lic) for lic in License.scan()]
        return every if user.role == "admin" else [x for x in every if x["owner"] == user.username]

    @api.post("/licenses/", status_code=201)
    def create_licence(body: LicenseIn, user: Me) -> dict[str, str]:
        lic = License(
            body.title, product=body.product, seats=body.seats, owner=user.username, version=1
        )
        try:
            if bug == "create_overwrite":
                lic.save()
            else:
                lic.save(condition=License.title.does_not_exist())
        except PutError:
            raise HTTPException(409, "A licence with this title exists") from None
        return {"message": "Licence created successfully"}

    def owned(title: str, user: Any) -> Any:
        try:
            lic = License.get(title)
        except DoesNotExist:
            raise HTTPException(404, "Licence not found") from None
        if lic.owner != user.username and user.role != "admin":
            raise HTTPException(404, "Licence not found")
        return lic

    @api.get("/licenses/{title}/", response_model=LicenseOut)
    def read_licence(title: str, user: Me) -> dict[str, Any]:
        return licence(owned(title, user))

    @api.patch("/licenses/{title}/", response_model=LicenseOut)
    def patch_licence(title: str, body: LicensePatch, user: Me) -> dict[str, Any]:
        changes = body.model_dump(exclude_none=True, exclude={"version"})
        if not changes:
            raise HTTPException(422, "Nothing to update")
        actions = [getattr(License, k).set(v) for k, v in changes.items()]
        lic = License(title) if user.role == "admin" else owned(title, user)
        # Admins edit any licence without reading it first: the condition alone keeps this an
        # update of the version the client read. The planted one lets "no version yet" pass,
        # which a deleted licence also matches (update_item then creates it).
        seen = License.version == body.version
        if bug == "write_after_delete":
            condition = License.version.does_not_exist() | seen
        else:
            condition = License.title.exists() & seen
        try:
            lic.update(actions=[*actions, License.version.add(1)], condition=condition)
        except UpdateError:
            raise HTTPException(409, "Licence changed or not found") from None
        return licence(lic)

    @api.delete("/licenses/{title}/", status_code=204)
    def delete_licence(title: str, user: Me) -> Response:
        if user.role != "admin":
            raise HTTPException(403, "Only administrators can delete licences")
        try:
            License(title).delete(condition=License.title.exists())
        except DeleteError:
            raise HTTPException(404, "Licence not found") from None
        return Response(status_code=204)

    async def login_as(client: Any, name: str) -> str:
        await client.post(
            "/auth/signup",
            json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
        )
        answer = await client.post("/auth/login", json={"username": name, "password": PASSWORD})
        return f"Authorization: Bearer {expect_ok(answer).json()['access_token']}"

    def promote(name: str) -> None:
        User(name).update(actions=[User.role.set("admin")])

    def snapshot() -> set[str]:
        return {f"user:{u.username}" for u in User.scan()} | {
            f"licence:{x.title}" for x in License.scan()
        }

    return Zoo(app=RequestLog(api), snapshot=snapshot, login=login_as, promote=promote)
