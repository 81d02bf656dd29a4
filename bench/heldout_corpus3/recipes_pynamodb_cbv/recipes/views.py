from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, HTTPException
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from .models import REGION, Account, Comment, Ingredient, Like, Recipe
from .schemas import CommentCreate, ProfileUpdate, RecipeBase, RecipePatch, RecipeRead
from .users import active_account, superuser

router = APIRouter()


class RecipeViews:
    def __init__(self, router: APIRouter):
        router.add_api_route("/recipes", self.create, methods=["POST"], response_model=RecipeRead, status_code=201)
        router.add_api_route("/recipes/mine", self.mine, methods=["GET"], response_model=list[RecipeRead])
        router.add_api_route("/recipes/{recipe_id}", self.read, methods=["GET"], response_model=RecipeRead)
        router.add_api_route("/recipes/{recipe_id}", self.patch, methods=["PATCH"], response_model=RecipeRead)
        router.add_api_route("/recipes/{recipe_id}/like", self.like, methods=["POST"], status_code=204)
        router.add_api_route("/recipes/{recipe_id}/like", self.unlike, methods=["DELETE"], status_code=204)

    def create(self, body: RecipeBase, user: Account = Depends(active_account)):
        data = body.model_dump()
        data["ingredients"] = [Ingredient(**i) for i in data["ingredients"]]
        recipe = Recipe(str(uuid4()), author_id=user.user_id, **data)
        recipe.save(condition=Recipe.recipe_id.does_not_exist())
        return recipe.attribute_values

    def mine(self, user: Account = Depends(active_account)):
        return [r.attribute_values for r in Recipe.by_author.query(user.user_id, scan_index_forward=False)]

    def read(self, recipe_id: UUID, user: Account = Depends(active_account)):
        try:
            recipe = Recipe.get(str(recipe_id))
        except Recipe.DoesNotExist:
            raise HTTPException(404, "Recipe not found")
        if not recipe.published and recipe.author_id != user.user_id:
            raise HTTPException(404, "Recipe not found")
        return recipe.attribute_values

    def patch(self, recipe_id: UUID, body: RecipePatch, user: Account = Depends(active_account)):
        try:
            recipe = Recipe.get(str(recipe_id))
        except Recipe.DoesNotExist:
            raise HTTPException(404, "Recipe not found")
        if recipe.author_id != user.user_id:
            raise HTTPException(404, "Recipe not found")
        changes = body.model_dump(exclude_unset=True)
        actions = [getattr(Recipe, field).set(value) for field, value in changes.items()]
        if not actions:
            return recipe.attribute_values
        try:
            recipe.update(actions=actions, condition=Recipe.author_id == user.user_id)
        except UpdateError:
            raise HTTPException(404, "Recipe not found")
        return recipe.attribute_values

    def like(self, recipe_id: UUID, user: Account = Depends(active_account)):
        try:
            with TransactWrite(connection=Connection(region=REGION)) as tx:
                tx.save(Like(str(recipe_id), user.user_id), condition=Like.user_id.does_not_exist())
                tx.update(
                    Recipe(str(recipe_id)),
                    actions=[Recipe.likes.add(1)],
                    condition=Recipe.published == True,  # noqa: E712
                )
        except TransactWriteError:
            raise HTTPException(409, "Already liked or recipe unavailable")

    def unlike(self, recipe_id: UUID, user: Account = Depends(active_account)):
        Like(str(recipe_id), user.user_id).delete()
        Recipe(str(recipe_id)).update(actions=[Recipe.likes.add(-1)], condition=Recipe.recipe_id.exists())


class CommentViews:
    def __init__(self, router: APIRouter):
        router.add_api_route("/recipes/{recipe_id}/comments", self.add, methods=["POST"], status_code=201)
        router.add_api_route("/recipes/{recipe_id}/comments", self.list, methods=["GET"])
        router.add_api_route("/recipes/{recipe_id}/comments/{comment_id}", self.remove, methods=["DELETE"], status_code=204)
        router.add_api_route("/moderation/comments/{recipe_id}/{comment_id}", self.moderate, methods=["DELETE"], status_code=204)

    def add(self, recipe_id: UUID, body: CommentCreate, user: Account = Depends(active_account)):
        comment = Comment(str(recipe_id), str(uuid4()), author_id=user.user_id, text=body.text)
        try:
            comment.save(condition=Comment.comment_id.does_not_exist())
        except PutError:
            raise HTTPException(409, "Retry")
        return {"comment_id": comment.comment_id}

    def list(self, recipe_id: UUID, user: Account = Depends(active_account)):
        try:
            recipe = Recipe.get(str(recipe_id))
        except Recipe.DoesNotExist:
            raise HTTPException(404, "Recipe not found")
        if not recipe.published and recipe.author_id != user.user_id:
            raise HTTPException(404, "Recipe not found")
        return [c.attribute_values for c in Comment.query(str(recipe_id), limit=100)]

    def remove(self, recipe_id: UUID, comment_id: str, user: Account = Depends(active_account)):
        try:
            comment = Comment.get(str(recipe_id), comment_id)
        except Comment.DoesNotExist:
            raise HTTPException(404, "Comment not found")
        if comment.author_id != user.user_id:
            raise HTTPException(403, "You can only delete your own comments")
        comment.delete()

    def moderate(self, recipe_id: UUID, comment_id: UUID, admin: Account = Depends(superuser)):
        try:
            Comment(str(recipe_id), str(comment_id)).delete(condition=Comment.comment_id.exists())
        except Exception:
            raise HTTPException(404, "Comment not found")


RecipeViews(router)
CommentViews(router)


@router.patch("/users/me")
async def update_me(body: ProfileUpdate, user: Account = Depends(active_account)):
    user.update(actions=[Account.display_name.set(body.display_name)])
    return {"user_id": user.user_id, "display_name": user.display_name}
