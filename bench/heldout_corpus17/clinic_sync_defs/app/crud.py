"""Data access helpers. Every function takes the table first, like the old
SQLAlchemy ``crud.get_user(db, user_id)`` style this service was ported from."""
import time
import uuid

from boto3.dynamodb.conditions import Key


def get_user(users, user_id):
    resp = users.get_item(Key={"user_id": user_id})
    return resp.get("Item")


def get_user_by_email(users, email):
    resp = users.query(
        IndexName="email-index",
        KeyConditionExpression=Key("email").eq(email),
        Limit=1,
    )
    items = resp.get("Items", [])
    return items[0] if items else None


def update_user(users, user_id, **fields):
    names = {f"#{k}": k for k in fields}
    values = {f":{k}": v for k, v in fields.items()}
    expr = "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
    resp = users.update_item(
        Key={"user_id": user_id},
        UpdateExpression=expr,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


def bump_doctor_stats(users, doctor_id):
    users.update_item(
        Key={"user_id": doctor_id},
        UpdateExpression="ADD completed_count :one",
        ExpressionAttributeValues={":one": 1},
    )


def create_session(sessions, user_id, token, ttl_seconds=8 * 3600):
    expires_at = int(time.time()) + ttl_seconds
    sessions.put_item(
        Item={"token": token, "user_id": user_id, "expires_at": expires_at},
        ConditionExpression="attribute_not_exists(#t)",
        ExpressionAttributeNames={"#t": "token"},
    )
    return expires_at


def get_session(sessions, token):
    resp = sessions.get_item(Key={"token": token})
    return resp.get("Item")


def get_appointment(table, appointment_id):
    resp = table.get_item(Key={"appointment_id": appointment_id})
    return resp.get("Item")


def list_for_patient(table, patient_id, start_key=None):
    kwargs = {
        "IndexName": "patient-index",
        "KeyConditionExpression": Key("patient_id").eq(patient_id),
        "Limit": 25,
    }
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    resp = table.query(**kwargs)
    return resp.get("Items", []), resp.get("LastEvaluatedKey")


def list_for_doctor(table, doctor_id, start_key=None):
    kwargs = {
        "IndexName": "doctor-index",
        "KeyConditionExpression": Key("doctor_id").eq(doctor_id),
        "Limit": 25,
    }
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    resp = table.query(**kwargs)
    return resp.get("Items", []), resp.get("LastEvaluatedKey")


def doctor_day(table, doctor_id, day):
    resp = table.query(
        IndexName="doctor-index",
        KeyConditionExpression="doctor_id = :d AND begins_with(slot, :day)",
        FilterExpression="status <> :cancelled",
        ExpressionAttributeValues={":d": doctor_id, ":day": day, ":cancelled": "cancelled"},
    )
    return resp.get("Items", [])


def slot_taken(table, doctor_id, slot):
    resp = table.query(
        IndexName="doctor-index",
        KeyConditionExpression=Key("doctor_id").eq(doctor_id) & Key("slot").eq(slot),
        Select="COUNT",
    )
    return resp["Count"] > 0


def create_appointment(table, item):
    table.put_item(
        Item=item,
        ConditionExpression="attribute_not_exists(appointment_id)",
    )
    return item


def update_appointment(table, appointment_id, **fields):
    names = {f"#{k}": k for k in fields}
    values = {f":{k}": v for k, v in fields.items()}
    resp = table.update_item(
        Key={"appointment_id": appointment_id},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


def cancel_appointment(table, appointment_id, patient_id):
    resp = table.update_item(
        Key={"appointment_id": appointment_id},
        UpdateExpression="SET #s = :cancelled, cancelled_at = :now",
        ConditionExpression="patient_id = :p AND #s = :booked",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":cancelled": "cancelled",
            ":booked": "booked",
            ":p": patient_id,
            ":now": int(time.time()),
        },
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


def delete_appointment(table, appointment_id):
    table.delete_item(Key={"appointment_id": appointment_id})


def add_note(notes, appointment_id, author_id, text):
    item = {
        "appointment_id": appointment_id,
        "note_id": str(uuid.uuid4()),
        "author_id": author_id,
        "text": text,
        "created_at": int(time.time()),
    }
    notes.put_item(Item=item, ConditionExpression="attribute_not_exists(note_id)")
    return item


def list_notes(notes, appointment_id):
    resp = notes.query(KeyConditionExpression=Key("appointment_id").eq(appointment_id))
    return resp.get("Items", [])
