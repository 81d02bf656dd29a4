"""DG118 on IaC beside the code: JSON formats (no comments to mark), a missing HCL parser,
the command line on a directory, and every output format carrying the IaC findings."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from dynaguard.core.config import Config
from dynaguard.report import FORMATS, render
from dynaguard.scan import scan

DG118 = Config(select=("DG118",))
POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["dynamodb:GetItem"],
      "Resource": "arn:aws:dynamodb:us-east-1:1:table/orders"
    },
    {
      "Effect": "Allow",
      "Action": "dynamodb:*",
      "Resource": "*"
    }
  ]
}
"""
TF_JSON = """\
{
  "resource": {
    "aws_iam_role_policy_attachment": {
      "full": {
        "role": "api",
        "policy_arn": "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
      }
    }
  }
}
"""
TF = """\
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "dynamodb:*", Resource = "*" }]
  })
}
"""


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _sites(root: Path) -> set[tuple[str, int]]:
    result = scan([root], root=root, config=DG118)
    assert [e.to_json() for e in result.errors] == []
    return {(f.path or "", f.line or 0) for f in result.findings}


def test_json_policies_report_at_the_statement_line(tmp_path: Path) -> None:
    # Given a plain policy JSON, a .tf.json and an unrelated JSON file
    root = _tree(
        tmp_path,
        {"iam/policy.json": POLICY, "infra/main.tf.json": TF_JSON, "package.json": '{"a": 1}'},
    )
    # Then the wide statement and the managed policy are reported where they are written
    assert _sites(root) == {("iam/policy.json", 10), ("infra/main.tf.json", 6)}


def test_missing_hcl_parser_skips_tf_files_with_a_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given python-hcl2 not importable, a .tf file and a policy JSON
    monkeypatch.setitem(sys.modules, "hcl2", None)
    root = _tree(tmp_path, {"main.tf": TF, "policy.json": POLICY})
    result = scan([root], root=root, config=DG118)
    # Then the .tf file is named in one diagnostic and the rest is still scanned
    assert [(e.path, "python-hcl2" in e.message) for e in result.errors] == [("main.tf", True)]
    assert {(f.path, f.line) for f in result.findings} == {("policy.json", 10)}


def test_tf_parsed_with_hcl2(tmp_path: Path) -> None:
    pytest.importorskip("hcl2")
    assert _sites(_tree(tmp_path, {"main.tf": TF})) == {("main.tf", 3)}


def test_malformed_template_is_one_files_error(tmp_path: Path) -> None:
    broken = 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n'
    root = _tree(tmp_path, {"template.yaml": broken, "policy.json": POLICY})
    result = scan([root], root=root, config=DG118)
    assert [e.path for e in result.errors] == ["template.yaml"]
    assert {(f.path, f.line) for f in result.findings} == {("policy.json", 10)}


def test_every_output_carries_iac_findings(tmp_path: Path) -> None:
    # Given a scan whose only finding is in a policy file
    root = _tree(tmp_path, {"policy.json": POLICY})
    result = scan([root], root=root, config=DG118)
    # Then every format names the file (and the structured ones the line)
    for fmt in FORMATS:
        assert "policy.json" in render(result, fmt), fmt
    doc = json.loads(render(result, "json"))
    assert [(f["rule"], f["path"], f["line"]) for f in doc["findings"]] == [
        ("DG118", "policy.json", 10)
    ]
    from tests.report.test_sarif import validate

    log = json.loads(render(result, "sarif"))
    validate(log)
    loc = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert (loc["artifactLocation"]["uri"], loc["region"]["startLine"]) == ("policy.json", 10)


def test_command_line_on_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a directory with a serverless.yml granting everything
    from dynaguard.cli.main import main

    sls = "service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n"
    sls += "    - Effect: Allow\n      Action: dynamodb:*\n      Resource: '*'\n"
    root = _tree(tmp_path, {"serverless.yml": sls})
    # When `dynaguard scan DIR --format json` runs
    code = main(["scan", str(root), "--format", "json"])
    found = json.loads(capsys.readouterr().out)["findings"]
    # Then it fails on the finding, located at the statement
    assert code == 1
    assert [(f["rule"], Path(f["path"]).name, f["line"]) for f in found] == [
        ("DG118", "serverless.yml", 5)
    ]


def test_suppression_comment_on_the_statement_line(tmp_path: Path) -> None:
    # Given two wide statements, one suppressed on its line, and a mark with no finding
    sls = (
        "service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n"
        "    - Effect: Allow  # dynaguard: ignore[DG118] ListTables needs *\n"
        "      Action: dynamodb:*\n      Resource: '*'\n"
        "    - Effect: Allow\n      Action: dynamodb:*\n      Resource: '*'\n"
        "  name2: x  # dynaguard: ignore[DG118] nothing here\n"
    )
    root = _tree(tmp_path, {"serverless.yml": sls})
    result = scan([root], root=root, config=DG118)
    # Then only the unsuppressed one is reported, and the stray mark is named as unused
    assert [(f.path, f.line) for f in result.findings] == [("serverless.yml", 8)]
    assert result.stats["suppressed"] == 1
    assert [(w.line, w.kind) for w in result.warnings] == [(11, "unused-suppression")]


def test_cached_result_follows_an_edited_template(tmp_path: Path) -> None:
    # Given a cached clean scan of a policy file
    root = _tree(tmp_path, {"policy.json": POLICY})
    assert len(scan([root], root=root, config=DG118, cache=True).findings) == 1
    # When the policy is narrowed, Then the next cached scan sees the edit
    narrow = POLICY.replace('"dynamodb:*"', '"dynamodb:GetItem"').replace('"*"', '"arn:t"')
    (root / "policy.json").write_text(narrow, encoding="utf-8")
    assert scan([root], root=root, config=DG118, cache=True).findings == ()


CFN_JSON = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "orders"}},
    "Api": {
      "Type": "AWS::IAM::Policy",
      "Properties": {
        "PolicyDocument": {
          "Statement": [
            {
              "Effect": "Allow",
              "Action": "dynamodb:*",
              "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}
            }
          ]
        }
      }
    }
  }
}
"""
SLS_RESOURCES = """\
service: s
provider:
  name: aws
resources:
  Resources:
    Worker:
      Type: AWS::IAM::Role
      Properties:
        Policies:
          - PolicyName: p
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: [dynamodb:Query]
                  Resource: "*"
"""


def test_json_template_and_serverless_resources(tmp_path: Path) -> None:
    # Given a CloudFormation template in JSON and a serverless.yml with its own resources
    root = _tree(tmp_path, {"cfn/stack.json": CFN_JSON, "sls/serverless.yml": SLS_RESOURCES})
    # Then each wide statement is reported at its first line
    assert _sites(root) == {("cfn/stack.json", 11), ("sls/serverless.yml", 13)}


def test_command_line_sarif_on_every_iac_format(tmp_path: Path) -> None:
    # Given the DG118 fixture tree (serverless.yml, a SAM template with !GetAtt/!Ref/!Sub
    # tags, Terraform .tf, CDK in Python, the service's code) and a Terraform .tf.json
    import shutil

    from dynaguard.cli.main import main

    from .annotations import read_annotations

    fixture = Path(__file__).parent / "fixtures" / "DG118"
    root = tmp_path / "svc"
    shutil.copytree(fixture, root)
    _tree(root, {"tf/extra.tf.json": TF_JSON})
    out = tmp_path / "report.sarif"
    # When `dynaguard scan DIR --format sarif -o FILE` runs
    code = main(["scan", str(root), "--format", "sarif", "-o", str(out), "--no-cache", "-q"])
    log = json.loads(out.read_text(encoding="utf-8"))
    # Then the report is valid SARIF, fails the run, and carries every IaC finding at the
    # statement's file and line: each expect mark of the fixture, and the .tf.json grant
    from tests.report.test_sarif import validate

    validate(log)
    assert code == 1
    run = log["runs"][0]
    found = set()
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        found.add((loc["artifactLocation"]["uri"], loc["region"]["startLine"], res["ruleId"]))
    iac = {site for site in found if not site[0].endswith("app.py")}
    expected = {s for s in read_annotations(fixture).expect if s[2] == "DG118"}
    assert iac == expected | {("tf/extra.tf.json", 6, "DG118")}
    assert {s[0].split("/")[0] for s in iac} == {"cdk", "sam", "sls", "tf"}
    assert "DG118" in {r["id"] for r in run["tool"]["driver"]["rules"]}


TF_HEREDOC = """\
resource "aws_iam_policy" "api" {
  policy = <<POLICY
{
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["dynamodb:Query"],
      "Resource": "*"
    }
  ]
}
POLICY
}

data "aws_iam_policy_document" "guard" {
  statement {
    effect    = "Deny"
    actions   = ["dynamodb:*"]
    resources = ["*"]
  }
}
"""


def test_tf_heredoc_policy_and_a_deny_document(tmp_path: Path) -> None:
    pytest.importorskip("hcl2")
    # Given a heredoc JSON policy granting on "*" and a policy document that only denies
    # Then the heredoc grant is reported at its action, and the Deny is not a grant
    assert _sites(_tree(tmp_path, {"iam.tf": TF_HEREDOC})) == {("iam.tf", 7)}


TF_ENV = """\
resource "aws_dynamodb_table" "orders" {
  name = "ledger-v2"
}

resource "aws_lambda_function" "api" {
  environment {
    variables = { ORDERS_TABLE = aws_dynamodb_table.orders.name }
  }
}

data "aws_iam_policy_document" "api" {
  statement {
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.orders.arn]
  }
}
"""
READER_APP = """\
import os

import boto3
from fastapi import FastAPI

app = FastAPI()
orders = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


@app.get("/orders/{order_id}")
def read_order(order_id: str):
    return orders.get_item(Key={"order_id": order_id}).get("Item")
"""


def test_tf_lambda_environment_names_the_codes_table(tmp_path: Path) -> None:
    pytest.importorskip("hcl2")
    # Given a table whose name shares nothing with the code, handed to the function in its
    # environment, and code that only reads the table that variable names
    root = _tree(tmp_path, {"main.tf": TF_ENV, "app.py": READER_APP})
    # Then the write grant on it is reported (the environment links the two)
    result = scan([root], root=root, config=DG118)
    assert [(f.path, f.line, "only reads" in f.message) for f in result.findings] == [
        ("main.tf", 13, True)
    ]
