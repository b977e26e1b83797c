"""The outbox beneath reminders and webhooks: rows claimed under a lease, their outcomes and
back-off (queue), the collection ETag of what it holds (etag), and webhook messages signed
(signing), checked against forgery of their address (ssrf), sent (sender) and recorded (hooks).
Both domains write into it and neither imports the other."""
