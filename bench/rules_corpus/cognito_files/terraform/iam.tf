resource "aws_dynamodb_table" "files" {
  name         = "files"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "file_id"
}

resource "aws_dynamodb_table" "shares" {
  name         = "shares"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "file_id"
  range_key    = "user"
}

resource "aws_iam_role" "authenticated" {
  name = "files-authenticated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
    }]
  })
}

resource "aws_iam_role_policy" "authenticated_files" {
  role   = aws_iam_role.authenticated.id
  policy = data.aws_iam_policy_document.direct_access.json
}

data "aws_iam_policy_document" "direct_access" {
  statement {
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.files.arn]
  }
}

resource "aws_iam_role_policy" "api" {
  role = "files-api"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        Resource = [aws_dynamodb_table.files.arn, aws_dynamodb_table.shares.arn]
      }
    ]
  })
}
