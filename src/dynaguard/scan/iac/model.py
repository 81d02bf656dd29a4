"""What the IaC readers extract: plain, frozen facts about IAM grants that DG118 queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from dynaguard.core.result import Diagnostic
from dynaguard.scan.iac.gateway import GatewayRoute

# DynamoDB actions that change data (`dynamodb:*` and `*` include them all)
WRITE_ACTIONS = frozenset(
    {
        "dynamodb:putitem",
        "dynamodb:updateitem",
        "dynamodb:deleteitem",
        "dynamodb:batchwriteitem",
        "dynamodb:partiqlinsert",
        "dynamodb:partiqlupdate",
        "dynamodb:partiqldelete",
        "dynamodb:deletetable",
        "dynamodb:updatetable",
    }
)


# actions that name no table: IAM only grants them on Resource "*"
ACCOUNT_ACTIONS = frozenset(
    {
        "dynamodb:listtables",
        "dynamodb:describelimits",
        "dynamodb:describeendpoints",
        "dynamodb:describereservedcapacity",
        "dynamodb:describereservedcapacityofferings",
        "dynamodb:listbackups",
        "dynamodb:listglobaltables",
        "dynamodb:listexports",
        "dynamodb:listimports",
        "dynamodb:describetable",
        "dynamodb:listtagsofresource",
    }
)


@dataclass(frozen=True, slots=True)
class Statement:
    """One Allow statement (or a grant that amounts to one), where it is written."""

    path: str
    line: int
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ()  # as written (ARNs, `*`, references rendered as text)
    tables: tuple[str, ...] = ()  # DynamoDB table names the resources resolve to
    condition_keys: tuple[str, ...] = ()  # e.g. dynamodb:LeadingKeys
    per_user: bool = False  # granted to a per-user identity (Cognito identity-pool role)
    source: str = ""  # cloudformation | serverless | terraform | policy | cdk
    column: int = 1  # 1-based, where the statement's line starts (set once the file is read)

    def data(self) -> bool:
        """Whether it grants access to items (not only account-level calls such as
        ListTables, which IAM only accepts on Resource "*")."""
        return any(
            a == "*" or (a.lower().startswith("dynamodb:") and a.lower() not in ACCOUNT_ACTIONS)
            for a in self.actions
        )

    def writes(self) -> bool:
        """Whether it grants a DynamoDB write."""
        low = {a.lower() for a in self.actions}
        return (
            bool(low & WRITE_ACTIONS)
            or bool(low & {"*", "dynamodb:*"})
            or any(a.startswith("dynamodb:") and "*" in a and _covers_write(a) for a in low)
        )


def _covers_write(wildcard: str) -> bool:
    """`dynamodb:Put*`, `dynamodb:*Item`: IAM wildcards match anywhere in the action name."""
    return any(fnmatchcase(w, wildcard) for w in WRITE_ACTIONS)


@dataclass(frozen=True, slots=True)
class Managed:
    """An AWS managed policy attached somewhere (AmazonDynamoDBFullAccess...)."""

    path: str
    line: int
    name: str
    source: str = ""
    column: int = 1


@dataclass
class IacFacts:
    """Every grant read from the IaC files beside the code."""

    statements: list[Statement] = field(default_factory=list)
    managed: list[Managed] = field(default_factory=list)
    files: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    # environment variables the IaC hands the functions, by the table they name
    # (ORDERS_TABLE: !Ref OrdersTable -> orders): links `Table(os.environ[...])` to a table
    env_tables: dict[str, str] = field(default_factory=dict)
    # per IaC file with `# dynaguard: ignore[...]` marks: its comments alone, one per line
    # (the other lines blank), so the Python suppression reader numbers them as the file
    comments: dict[str, str] = field(default_factory=dict)
    # API Gateway routes and whether an authorizer guards each (SAM, serverless.yml)
    gateway: list[GatewayRoute] = field(default_factory=list)
