"""The demo: embedded DynamoDB, a vulnerable app, its hardened twin, and the runner."""
