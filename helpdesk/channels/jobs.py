"""Background work of channels: fetching the inbound mail every minute."""

from __future__ import annotations

import logging
import secrets

from helpdesk.channels.fetching import UNREACHABLE, Counts, fetch, open_source
from helpdesk.channels.inbound import take_in
from helpdesk.extensions import redis_connection
from helpdesk.worker import job

log = logging.getLogger(__name__)

FETCH_LOCK = "helpdesk:channels:fetch"
# Longer than a fetch takes (the cron's job timeout is 300 s): a worker that dies holding the
# lock holds it this long at most.
FETCH_LOCK_SECONDS = 600
# Deletes the lock only if it is still the one this fetch took (not another's, after expiry).
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


@job
def fetch_mail() -> Counts | None:
    """Take in the mail waiting in the mailbox; None when another worker is fetching (one fetch
    at a time: a lock in Redis) or the mailbox cannot be reached (a warning: the next run
    tries again). Safe to run twice: each message is taken in once, by its key."""
    client = redis_connection.client
    token = secrets.token_hex(16)
    if not client.set(FETCH_LOCK, token, nx=True, ex=FETCH_LOCK_SECONDS):
        log.info("inbound mail: another fetch is running")
        return None
    try:
        counts = fetch(open_source(), take_in)
    except UNREACHABLE as error:
        log.warning("inbound mail: the mailbox cannot be reached: %s", error)
        return None
    finally:
        client.eval(RELEASE, 1, FETCH_LOCK, token)
    if counts != Counts():
        log.info("inbound mail: %s", counts.summary())
    return counts
