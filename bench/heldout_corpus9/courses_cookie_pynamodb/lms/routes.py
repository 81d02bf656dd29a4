import asyncio
import os
import secrets
import uuid

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.encoders import jsonable_encoder

from .auth import AdminUser, CurrentUser
from .models import Course, Enrollment, Review
from .repository import courses
from .schemas import (CourseCreate, CourseId, CourseRead, CourseUpdate, EnrollmentRead, OwnerIn,
                      ProfileUpdate, ProgressIn, ProgressSync, ReviewIn, UserId, UserRead)

INTEGRATION_KEY = os.environ.get("LMS_INTEGRATION_KEY", "")

router = APIRouter()
not_found = HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Not found")


@router.get("/me", response_model=UserRead)
async def read_me(user: CurrentUser):
    return user


@router.put("/me", response_model=UserRead)
async def update_me(body: ProfileUpdate, user: CurrentUser):
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(user, field, value)
    await asyncio.to_thread(user.save)
    return user


@router.get("/courses", response_model=list[CourseRead])
async def list_published_courses(limit: int = Query(50, le=200)):
    def published() -> list[Course]:
        return list(Course.status_index.query("published", limit=limit))
    return await asyncio.to_thread(published)


@router.post("/courses", response_model=CourseRead, status_code=status.HTTP_201_CREATED)
async def create_course(body: CourseCreate, user: CurrentUser):
    course = Course(uuid.uuid4().hex, owner_id=user.user_id, status="draft", **body.model_dump())
    return await asyncio.to_thread(courses.create, course)


@router.get("/courses/{course_id}")
async def read_course(course_id: str, user: CurrentUser):
    course = courses.get(course_id)
    if course is None or (course.status != "published" and course.owner_id != user.user_id):
        raise not_found
    return jsonable_encoder(course.attribute_values)


@router.patch("/courses/{course_id}", response_model=CourseRead)
async def update_course(course_id: CourseId, body: CourseUpdate, user: CurrentUser):
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Nothing to update")
    try:
        return await asyncio.to_thread(courses.update_fields, course_id, user.user_id, changes)
    except Exception:
        raise not_found


@router.post("/courses/{course_id}/publish", response_model=CourseRead)
async def publish_course(course_id: CourseId, user: CurrentUser):
    return await asyncio.to_thread(courses.set_status, course_id, user.user_id, "published")


@router.delete("/courses/{course_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_course(course_id: CourseId, user: CurrentUser):
    course = await asyncio.to_thread(courses.get, course_id)
    if course is None or course.owner_id != user.user_id:
        raise not_found
    await asyncio.to_thread(course.delete)


@router.post("/courses/{course_id}/enroll", response_model=EnrollmentRead, status_code=201)
async def enroll(course_id: CourseId, user: CurrentUser):
    course = await asyncio.to_thread(courses.get, course_id)
    if course is None or course.status != "published":
        raise not_found
    return await asyncio.to_thread(courses.enroll, course_id, user.user_id)


@router.put("/courses/{course_id}/progress", response_model=EnrollmentRead)
async def update_progress(course_id: CourseId, body: ProgressIn, user: CurrentUser):
    enrollment = Enrollment(course_id, user.user_id)
    await asyncio.to_thread(enrollment.update, actions=[Enrollment.progress.set(body.progress)],
                            condition=(Enrollment.status == "active"))
    return enrollment


@router.get("/courses/{course_id}/students/{user_id}", response_model=EnrollmentRead)
async def read_student(course_id: CourseId, user_id: str, user: CurrentUser):
    try:
        return await asyncio.to_thread(Enrollment.get, course_id, user_id)
    except Enrollment.DoesNotExist:
        raise not_found


@router.post("/courses/{course_id}/students/{user_id}/remove",
             status_code=status.HTTP_204_NO_CONTENT)
async def remove_student(course_id: CourseId, user_id: UserId, user: CurrentUser):
    await asyncio.to_thread(courses.remove_student, course_id, user_id)


@router.post("/courses/{course_id}/reviews", status_code=status.HTTP_201_CREATED)
async def add_review(course_id: CourseId, body: ReviewIn):
    review = Review(course_id, uuid.uuid4().hex, **body.model_dump())
    await asyncio.to_thread(review.save, condition=Review.review_id.does_not_exist())
    return {"review_id": review.review_id}


@router.get("/my/enrollments", response_model=list[EnrollmentRead])
async def my_enrollments(user: CurrentUser):
    return await asyncio.to_thread(lambda: list(Enrollment.scan(Enrollment.user_id == user.user_id)))


@router.post("/integrations/progress", status_code=status.HTTP_204_NO_CONTENT)
async def sync_progress(body: ProgressSync, api_key: str = Query(...)):
    if not INTEGRATION_KEY or not secrets.compare_digest(api_key, INTEGRATION_KEY):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Invalid API key")
    enrollment = Enrollment(body.course_id, body.user_id)
    await asyncio.to_thread(enrollment.update, actions=[Enrollment.progress.set(body.progress)],
                            condition=(Enrollment.status == "active"))


@router.get("/admin/enrollments", response_model=list[EnrollmentRead])
async def admin_enrollments(admin: AdminUser, course_id: str | None = Query(None, max_length=32)):
    condition = (Enrollment.course_id == course_id) if course_id else None
    return await asyncio.to_thread(lambda: list(Enrollment.scan(condition)))


@router.put("/admin/courses/{course_id}/owner", response_model=CourseRead)
async def transfer_course(course_id: CourseId, body: OwnerIn, admin: AdminUser):
    course = Course(course_id)
    await asyncio.to_thread(course.update, actions=[Course.owner_id.set(body.owner_id)],
                            condition=Course.course_id.exists())
    return course
