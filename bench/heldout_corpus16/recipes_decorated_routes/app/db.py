import os

import boto3

dynamodb = boto3.resource("dynamodb", region_name=os.environ.get("AWS_REGION", "eu-west-1"))

RECIPES_TABLE = os.environ.get("RECIPES_TABLE", "recipes")
RATINGS_TABLE = os.environ.get("RATINGS_TABLE", "recipe-ratings")
FAVORITES_TABLE = os.environ.get("FAVORITES_TABLE", "recipe-favorites")

recipes = dynamodb.Table(RECIPES_TABLE)
ratings = dynamodb.Table(RATINGS_TABLE)
favorites = dynamodb.Table(FAVORITES_TABLE)
