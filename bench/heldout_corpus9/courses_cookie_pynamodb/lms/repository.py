from typing import Any

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from .models import REGION, Course, Enrollment


class CourseRepository:
    def get(self, course_id: str) -> Course | None:
        try:
            return Course.get(course_id)
        except Course.DoesNotExist:
            return None

    def create(self, course: Course) -> Course:
        course.save(condition=Course.course_id.does_not_exist())
        return course

    def update_fields(self, course_id: str, owner_id: str, changes: dict[str, Any]) -> Course:
        course = Course(course_id)
        actions = [getattr(Course, name).set(value) for name, value in changes.items()]
        course.update(actions=actions, condition=(Course.owner_id == owner_id))
        return course

    def set_status(self, course_id: str, owner_id: str, new_status: str) -> Course:
        course = Course(course_id)
        course.update(actions=[Course.status.set(new_status)], condition=(Course.owner_id == owner_id))
        return course

    def enroll(self, course_id: str, user_id: str) -> Enrollment:
        enrollment = Enrollment(course_id, user_id, status="active", progress=0)
        enrollment.save()
        Course(course_id).update(actions=[Course.enrolled.add(1)],
                                 condition=(Course.status == "published"))
        return enrollment

    def remove_student(self, course_id: str, user_id: str) -> None:
        with TransactWrite(connection=Connection(region=REGION)) as tx:
            tx.delete(Enrollment(course_id, user_id), condition=(Enrollment.status == "active"))
            tx.update(Course(course_id), actions=[Course.enrolled.add(-1)],
                      condition=(Course.enrolled > 0))


courses = CourseRepository()
