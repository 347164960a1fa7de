"""The runners: how records arrive at the core step and leave it. `batch` and `run` are `buysignal
run` (Apache Beam), `stream` is `buysignal stream` (a Faust worker on Kafka); `inputs` reads the CRM
and the history both runners start from, and `plugins` finds the configured sources."""
