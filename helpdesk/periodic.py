"""The periodic sweeps the cron process runs; each domain's sweep is registered here."""

from __future__ import annotations

from helpdesk.auth import jobs as account_jobs
from helpdesk.channels import jobs as channel_jobs
from helpdesk.extensions import redis_connection
from helpdesk.notifications import jobs as notification_jobs
from helpdesk.reports import jobs as report_jobs
from helpdesk.requests import jobs as request_jobs
from helpdesk.sla import jobs as sla_jobs
from helpdesk.tickets import jobs as ticket_jobs
from helpdesk.timeutil import utcnow
from helpdesk.worker import CRON_HEARTBEAT, job, register_periodic


@job
def heartbeat() -> None:
    """Record that the periodic machinery runs (shown by /healthz)."""
    redis_connection.client.set(CRON_HEARTBEAT, utcnow().isoformat(), ex=600)


register_periodic(heartbeat, 60)
register_periodic(notification_jobs.sweep_outbox, 60)
register_periodic(ticket_jobs.close_resolved, 3600)
register_periodic(sla_jobs.sweep_deadlines, 60)
register_periodic(account_jobs.forget_old_failures, 3600)
# Every 5 minutes; each approver gets at most one mail an hour (kept in the database).
register_periodic(account_jobs.mail_waiting_registrations, 300)
# Every 5 minutes; on a send day from 07:30 the digests are queued, once (outbox keys).
register_periodic(report_jobs.send_due_digests, 300)
# Hourly: a request's reminders go out in the morning of their day, each once.
register_periodic(request_jobs.send_reminders, 3600)
# Every minute; one fetch at a time (a lock in Redis), each message taken in once.
register_periodic(channel_jobs.fetch_mail, 60)
