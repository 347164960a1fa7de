"""Alert delivery: subscriptions, Atom feeds, Slack and signed webhooks, email digests, API tokens.

The public surface is `sinks.delivery.api`; import from there.
"""
