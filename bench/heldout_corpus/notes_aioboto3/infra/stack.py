from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as _lambda
from constructs import Construct


class NotesStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        table = dynamodb.Table(
            self,
            "NotesTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        )
        table.add_global_secondary_index(
            index_name="gsi1",
            partition_key=dynamodb.Attribute(name="gsi1pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="gsi1sk", type=dynamodb.AttributeType.STRING),
        )

        api_fn = _lambda.Function(
            self,
            "NotesApi",
            runtime=_lambda.Runtime.PYTHON_3_11,
            handler="app.lambda_handler.handler",
            code=_lambda.Code.from_asset("../"),
            timeout=Duration.seconds(15),
            environment={"NOTES_TABLE": table.table_name},
        )
        table.grant_full_access(api_fn)

        report_fn = _lambda.Function(
            self,
            "NotesReport",
            runtime=_lambda.Runtime.PYTHON_3_11,
            handler="report.handler",
            code=_lambda.Code.from_asset("../report"),
            environment={"NOTES_TABLE": table.table_name},
        )
        table.grant_read_data(report_fn)

        apigw.LambdaRestApi(self, "NotesHttp", handler=api_fn)
