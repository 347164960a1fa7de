"""The `buysignal` commands: the CLI (`cli.main`), and the commands that live in their own modules
(serve, schedule, stream, subscriptions, alerts, discover). Each ends through `exits.run_command`."""
