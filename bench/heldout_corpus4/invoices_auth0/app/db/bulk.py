from app.db.dynamo import TABLE_NAME, client, serialize, tenant_pk
from app.models import CustomerIn


def bulk_put_customers(org_id: str, rows: list[CustomerIn]) -> int:
    requests = [
        {
            "PutRequest": {
                "Item": serialize(
                    {
                        **row.model_dump(),
                        "pk": tenant_pk(org_id),
                        "sk": f"CUSTOMER#{row.email.lower()}",
                    }
                )
            }
        }
        for row in rows
    ]
    for start in range(0, len(requests), 25):
        client().batch_write_item(RequestItems={TABLE_NAME: requests[start : start + 25]})
    return len(requests)
