data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "shop_api" {
  name               = "shop-api"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

resource "aws_iam_role_policy" "shop_api_tables" {
  name = "shop-api-tables"
  role = aws_iam_role.shop_api.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "OrdersAndCustomers"
        Effect = "Allow"
        Action = [
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:Query",
          "dynamodb:Scan",
        ]
        Resource = [
          aws_dynamodb_table.orders.arn,
          "${aws_dynamodb_table.orders.arn}/index/*",
          aws_dynamodb_table.customers.arn,
          aws_dynamodb_table.api_keys.arn,
          aws_dynamodb_table.products.arn,
        ]
      },
      {
        Sid      = "Transactions"
        Effect   = "Allow"
        Action   = ["dynamodb:ConditionCheckItem"]
        Resource = [aws_dynamodb_table.orders.arn, aws_dynamodb_table.products.arn]
      },
    ]
  })
}

resource "aws_iam_role" "shop_reporting" {
  name               = "shop-reporting"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

resource "aws_iam_role_policy" "shop_reporting_read" {
  name = "shop-reporting-read"
  role = aws_iam_role.shop_reporting.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["dynamodb:*"]
        Resource = "*"
      },
    ]
  })
}
