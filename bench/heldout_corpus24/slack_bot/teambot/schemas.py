from pydantic import BaseModel, Field

TEAM_ID = r"^[TE][A-Z0-9]{2,20}$"
USER_ID = r"^[UW][A-Z0-9]{2,20}$"
CHANNEL_ID = r"^[CDG][A-Z0-9]{2,20}$"
REMINDER_ID = r"^[0-9a-f]{8}$"


class SlashCommand(BaseModel):
    team_id: str = Field(pattern=TEAM_ID)
    user_id: str = Field(pattern=USER_ID)
    channel_id: str = Field(pattern=CHANNEL_ID)
    command: str = Field(max_length=32)
    text: str = Field(default="", max_length=2000)
    response_url: str | None = None
    trigger_id: str | None = None


class WorkspaceSettingsOut(BaseModel):
    team_id: str
    default_channel: str | None = None
    digest_enabled: bool = True
    digest_hour: int = 9
    max_reminders_per_user: int = 25


class WorkspaceSettingsUpdate(BaseModel):
    default_channel: str | None = Field(default=None, pattern=CHANNEL_ID)
    digest_enabled: bool | None = None
    digest_hour: int | None = Field(default=None, ge=0, le=23)


class ReminderIn(BaseModel):
    reminder_id: str = Field(pattern=REMINDER_ID)
    user_id: str = Field(pattern=USER_ID)
    channel_id: str = Field(pattern=CHANNEL_ID)
    text: str = Field(min_length=1, max_length=2000)
    remind_at: int


class ReminderOut(ReminderIn):
    team_id: str
    status: str


class AdminGrant(BaseModel):
    user_id: str = Field(pattern=USER_ID)
