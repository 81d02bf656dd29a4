import boto3

from .config import settings

dynamodb = boto3.resource("dynamodb", region_name=settings.aws_region)

# team_id -> bot token, installer, admin_user_ids
installations = dynamodb.Table(settings.installations_table)
# team_id -> default_channel, digest settings, limits
workspace_settings = dynamodb.Table(settings.settings_table)
# (team_id, reminder_id) -> user_id, channel_id, text, remind_at, status, ttl
reminders = dynamodb.Table(settings.reminders_table)
