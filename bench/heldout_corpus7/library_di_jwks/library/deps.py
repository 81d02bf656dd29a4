from typing import Annotated

from dependency_injector.wiring import Provide
from fastapi import Depends

from .auth import Principal, current_user, require_librarian
from .containers import Container
from .repositories import BookRepository, LoanRepository, MemberRepository, ReviewRepository

User = Annotated[Principal, Depends(current_user)]
Librarian = Annotated[Principal, Depends(require_librarian)]
Books = Annotated[BookRepository, Depends(Provide[Container.book_repo])]
Loans = Annotated[LoanRepository, Depends(Provide[Container.loan_repo])]
Members = Annotated[MemberRepository, Depends(Provide[Container.member_repo])]
Reviews = Annotated[ReviewRepository, Depends(Provide[Container.review_repo])]
