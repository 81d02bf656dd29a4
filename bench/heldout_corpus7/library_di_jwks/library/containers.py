import boto3
from dependency_injector import containers, providers

from .repositories import (
    BookRepository,
    LoanRepository,
    MemberRepository,
    ReviewRepository,
)


def _table(resource, name: str):
    return resource.Table(name)


class Container(containers.DeclarativeContainer):
    config = providers.Configuration()

    dynamodb = providers.Singleton(
        boto3.resource,
        "dynamodb",
        region_name=config.aws_region,
        endpoint_url=config.dynamodb_endpoint,
    )

    books_table = providers.Singleton(_table, dynamodb, config.tables.books)
    loans_table = providers.Singleton(_table, dynamodb, config.tables.loans)
    members_table = providers.Singleton(_table, dynamodb, config.tables.members)
    reviews_table = providers.Singleton(_table, dynamodb, config.tables.reviews)

    book_repo = providers.Factory(BookRepository, table=books_table)
    loan_repo = providers.Factory(LoanRepository, table=loans_table)
    member_repo = providers.Factory(MemberRepository, table=members_table)
    review_repo = providers.Factory(ReviewRepository, table=reviews_table)
