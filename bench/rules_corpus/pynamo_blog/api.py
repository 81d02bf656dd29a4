import uuid

from fastapi import Depends, FastAPI, Header, HTTPException
from jose import JWTError, jwt
from pydantic import BaseModel

from models import Comment, Post

app = FastAPI()
SECRET = "s3cr3t"


def current_author(authorization: str = Header(...)) -> str:
    try:
        claims = jwt.decode(authorization.removeprefix("Bearer "), SECRET, algorithms=["HS256"])
    except JWTError:
        raise HTTPException(401)
    return claims["sub"]


class PostIn(BaseModel):
    title: str
    body: str = ""
    tags: list[str] = []


class CommentIn(BaseModel):
    text: str


@app.post("/posts", status_code=201)
async def create_post(body: PostIn, author: str = Depends(current_author)):
    post = Post(post_id=uuid.uuid4().hex, author_id=author, **body.dict())
    post.save()
    return {"post_id": post.post_id}


@app.get("/posts/{post_id}")
async def read_post(post_id: str):
    try:
        post = Post.get(post_id)
    except Post.DoesNotExist:
        raise HTTPException(404)
    return post.attribute_values


@app.post("/posts/{post_id}/publish")
def publish(post_id: str, author: str = Depends(current_author)):
    post = Post.get(post_id)
    if post.author_id != author:
        raise HTTPException(403)
    post.update(actions=[Post.state.set("published")])
    return {"state": "published"}


@app.post("/posts/{post_id}/like")
def like(post_id: str, author: str = Depends(current_author)):
    Post(post_id=post_id).update(actions=[Post.likes.add(1)], condition=Post.post_id.exists())
    return {"ok": True}


@app.post("/posts/{post_id}/tags/{tag}")
def add_tag(post_id: str, tag: str, author: str = Depends(current_author)):
    post = Post.get(post_id)
    if post.author_id != author:
        raise HTTPException(404)
    post.tags.append(tag)
    post.save()
    return {"tags": post.tags}


@app.post("/posts/{post_id}/comments", status_code=201)
def add_comment(post_id: str, body: CommentIn, author: str = Depends(current_author)):
    Comment(post_id=post_id, comment_id=uuid.uuid4().hex, author_id=author, text=body.text).save(
        condition=Comment.comment_id.does_not_exist()
    )
    return {"ok": True}


@app.delete("/posts/{post_id}/comments/{comment_id}", status_code=204)
def delete_comment(post_id: str, comment_id: str, author: str = Depends(current_author)):
    Comment.get(post_id, comment_id).delete(condition=Comment.author_id == author)


@app.get("/authors/me/posts")
def my_posts(author: str = Depends(current_author)):
    return [p.attribute_values for p in Post.by_author.query(author)]
