from typing import Any, Dict, List

from boto3.dynamodb.conditions import Key

from .db import Repository, now_iso
from .settings import get_settings

_settings = get_settings()


class PatientRepository(Repository):
    table_name = "patients"
    key_names = ("mrn",)

    def by_mrn(self, mrn: str):
        return self.get(mrn=mrn)

    def transfer(self, mrn: str, old_doctor: str, new_doctor: str, by: str) -> None:
        self.table.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self.table.name,
                        "Key": {"mrn": mrn},
                        "UpdateExpression": "SET #doc = :new, #u = :now",
                        "ConditionExpression": "#doc = :old",
                        "ExpressionAttributeNames": {"#doc": "primary_doctor", "#u": "updated_at"},
                        "ExpressionAttributeValues": {
                            ":new": new_doctor,
                            ":old": old_doctor,
                            ":now": now_iso(),
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": _settings.table("patient_transfers"),
                        "Item": {
                            "mrn": mrn,
                            "at": now_iso(),
                            "from_doctor": old_doctor,
                            "to_doctor": new_doctor,
                            "by": by,
                        },
                        "ConditionExpression": "attribute_not_exists(#at)",
                        "ExpressionAttributeNames": {"#at": "at"},
                    }
                },
            ]
        )


class DoctorRepository(Repository):
    table_name = "doctors"
    key_names = ("doctor_id",)


class AppointmentRepository(Repository):
    table_name = "appointments"
    key_names = ("mrn", "appointment_id")

    def for_patient(self, mrn: str) -> List[Dict[str, Any]]:
        return self.query_all(KeyConditionExpression=Key("mrn").eq(mrn))

    def for_doctor(self, doctor_id: str, since: str) -> List[Dict[str, Any]]:
        return self.query_all(
            IndexName="by-doctor",
            KeyConditionExpression=Key("doctor_id").eq(doctor_id) & Key("starts_at").gte(since),
        )

    def confirm(self, mrn: str, appointment_id: str, doctor_id: str, starts_at: str) -> None:
        self.table.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self.table.name,
                        "Key": {"mrn": mrn, "appointment_id": appointment_id},
                        "UpdateExpression": "SET #s = :confirmed, confirmed_at = :now",
                        "ConditionExpression": "#s = :requested AND #doc = :me",
                        "ExpressionAttributeNames": {"#s": "status", "#doc": "doctor_id"},
                        "ExpressionAttributeValues": {
                            ":confirmed": "confirmed",
                            ":requested": "requested",
                            ":me": doctor_id,
                            ":now": now_iso(),
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": _settings.table("doctor_slots"),
                        "Item": {
                            "doctor_id": doctor_id,
                            "starts_at": starts_at,
                            "mrn": mrn,
                            "appointment_id": appointment_id,
                        },
                        "ConditionExpression": "attribute_not_exists(starts_at)",
                    }
                },
            ]
        )

    def complete(self, mrn: str, appointment_id: str, doctor_id: str, summary: str):
        resp = self.table.update_item(
            Key={"mrn": mrn, "appointment_id": appointment_id},
            UpdateExpression="SET status = :done, completed_at = :now, visit_summary = :summary",
            ConditionExpression="doctor_id = :me",
            ExpressionAttributeValues={
                ":done": "done",
                ":now": now_iso(),
                ":summary": summary,
                ":me": doctor_id,
            },
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]


class SlotRepository(Repository):
    table_name = "doctor_slots"
    key_names = ("doctor_id", "starts_at")


class NoteRepository(Repository):
    table_name = "clinical_notes"
    key_names = ("mrn", "note_id")

    def for_patient(self, mrn: str) -> List[Dict[str, Any]]:
        return self.query_all(
            KeyConditionExpression=Key("mrn").eq(mrn), ScanIndexForward=False
        )


patients = PatientRepository()
doctors = DoctorRepository()
appointments = AppointmentRepository()
slots = SlotRepository()
notes = NoteRepository()
