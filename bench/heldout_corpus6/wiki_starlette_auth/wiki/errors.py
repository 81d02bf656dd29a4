from fastapi import HTTPException


class NotFound(HTTPException):
    def __init__(self, what: str = "not found"):
        super().__init__(status_code=404, detail=what)


class Forbidden(HTTPException):
    def __init__(self, why: str = "forbidden"):
        super().__init__(status_code=403, detail=why)


class Conflict(HTTPException):
    def __init__(self, why: str = "conflict"):
        super().__init__(status_code=409, detail=why)
