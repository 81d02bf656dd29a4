"""Invoice persistence. Routes never see boto3: they go through InvoiceService."""
from datetime import datetime, timezone
from decimal import Decimal
from typing import Protocol
from uuid import uuid4

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from app.db.dynamo import TABLE_NAME, client, serialize, table, tenant_pk
from app.errors import InvalidTransition, InvoiceNotFound, VersionConflict


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class InvoiceRepository(Protocol):
    def get(self, org_id: str, invoice_id: str) -> dict: ...

    def list(self, org_id: str, start_key: dict | None, limit: int) -> tuple[list[dict], dict | None]: ...

    def create(self, org_id: str, data: dict, created_by: str) -> dict: ...

    def update(self, org_id: str, invoice_id: str, changes: dict, expected_version: int) -> dict: ...

    def void(self, org_id: str, invoice_id: str) -> dict: ...

    def mark_sent(self, org_id: str, invoice_id: str) -> None: ...

    def delete(self, org_id: str, invoice_id: str) -> None: ...

    def record_payment(self, org_id: str, invoice_id: str, amount: Decimal, paid_by: str) -> str: ...


class DynamoInvoiceRepository:
    def __init__(self, tbl=None):
        self.table = tbl or table()

    @staticmethod
    def _key(org_id: str, invoice_id: str) -> dict:
        return {"pk": tenant_pk(org_id), "sk": f"INVOICE#{invoice_id}"}

    def get(self, org_id, invoice_id):
        item = self.table.get_item(Key=self._key(org_id, invoice_id)).get("Item")
        if item is None:
            raise InvoiceNotFound(invoice_id)
        return item

    def list(self, org_id, start_key, limit):
        kwargs = {
            "KeyConditionExpression": Key("pk").eq(tenant_pk(org_id)) & Key("sk").begins_with("INVOICE#"),
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        page = self.table.query(**kwargs)
        return page["Items"], page.get("LastEvaluatedKey")

    def create(self, org_id, data, created_by):
        invoice_id = uuid4().hex
        item = {
            **data,
            **self._key(org_id, invoice_id),
            "invoice_id": invoice_id,
            "status": "DRAFT",
            "version": 1,
            "amount_paid": Decimal(0),
            "created_by": created_by,
            "created_at": _now(),
        }
        self.table.put_item(Item=item, ConditionExpression=Attr("sk").not_exists())
        return item

    def update(self, org_id, invoice_id, changes, expected_version):
        names = {f"#{k}": k for k in changes}
        values = {f":{k}": v for k, v in changes.items()}
        sets = ", ".join(f"#{k} = :{k}" for k in changes)
        try:
            resp = self.table.update_item(
                Key=self._key(org_id, invoice_id),
                UpdateExpression=f"SET {sets}, #v = #v + :one, updated_at = :now",
                ConditionExpression="#v = :expected",
                ExpressionAttributeNames={**names, "#v": "version"},
                ExpressionAttributeValues={**values, ":one": 1, ":now": _now(), ":expected": expected_version},
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise VersionConflict(invoice_id) from e
            raise
        return resp["Attributes"]

    def void(self, org_id, invoice_id):
        try:
            resp = self.table.update_item(
                Key=self._key(org_id, invoice_id),
                UpdateExpression="SET #s = :void, voided_at = :now",
                ConditionExpression="#s IN (:draft, :sent)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":void": "VOID", ":draft": "DRAFT", ":sent": "SENT", ":now": _now()},
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise InvalidTransition(invoice_id, "VOID") from e
            raise
        return resp["Attributes"]

    def mark_sent(self, org_id, invoice_id):
        self.table.update_item(
            Key=self._key(org_id, invoice_id),
            UpdateExpression="SET #s = :sent, sent_at = :now",
            ConditionExpression="attribute_exists(sk)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":sent": "SENT", ":now": _now()},
        )

    def delete(self, org_id, invoice_id):
        self.table.delete_item(Key=self._key(org_id, invoice_id))

    def record_payment(self, org_id, invoice_id, amount, paid_by):
        payment_id = uuid4().hex
        payment = {
            "pk": tenant_pk(org_id),
            "sk": f"PAYMENT#{invoice_id}#{payment_id}",
            "invoice_id": invoice_id,
            "amount": amount,
            "paid_by": paid_by,
            "created_at": _now(),
        }
        try:
            client().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": TABLE_NAME,
                            "Item": serialize(payment),
                            "ConditionExpression": "attribute_not_exists(sk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": TABLE_NAME,
                            "Key": serialize(self._key(org_id, invoice_id)),
                            "UpdateExpression": "SET amount_paid = amount_paid + :a",
                            "ConditionExpression": "#s = :sent",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": serialize({":a": amount, ":sent": "SENT"}),
                        }
                    },
                ]
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "TransactionCanceledException":
                raise InvalidTransition(invoice_id, "PAID") from e
            raise
        return payment_id
