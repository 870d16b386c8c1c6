"""Audit: one tamper-evident record per exchange, off the request path, durable and searchable.

exchange ─▶ on_done ─▶ one encoded line to the worker's writer process (writer.py) ─▶ build,
scrub, hash-chain, batched fsync to the spool ─▶ shippers (store, files, syslog, Splunk, OTLP,
webhooks), each in order with retry.
Kept import-light: the configuration schema imports `interlock.audit.config`.
"""
