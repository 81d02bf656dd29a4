resource "aws_dynamodb_table" "billing" {
  name         = "billing"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
}

data "aws_iam_policy_document" "billing_api" {
  statement {
    sid = "BillingTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
    ]
    resources = [aws_dynamodb_table.billing.arn]
  }

  statement {
    sid       = "Reporting"
    actions   = ["dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "billing_api" {
  name   = "billing-api-dynamodb"
  role   = aws_iam_role.billing_api.id
  policy = data.aws_iam_policy_document.billing_api.json
}
