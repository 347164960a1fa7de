"""sinks: where results go: the SQL store, campaign lists and list exports, alert delivery.

Every sink takes batches (`sinks.base.Sink`); the runners wire them in (the store, then the alert
sink); the campaign lists are cut from the store after a run.
"""
