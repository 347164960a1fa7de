"""The streaming runner's parts: the embedded broker, the Faust worker, the feed poller, the producer.

`pipelines/commands/stream.py` is the command and the public entry points.
"""
