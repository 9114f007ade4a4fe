"""Notifications: the outbox, e-mail templates, the send job and the mail transport.

The package knows addresses, languages, templates, context values and keys; who is told about
what (accounts, tickets, queues) is decided by the packages above, which call `outbox`.

- outbox       queue_email() in the caller's transaction, the INSERT at flush (register() at
               app creation), dispatch() to the send jobs after the commit
- bulk_insert  that INSERT, written per database dialect (PostgreSQL: json_to_recordset)
- rendering    links on HELPDESK_BASE_URL, Message-IDs, the text and HTML of a message
- sending      hand_over() to send jobs; claim, deliver, record, retry with backoff, give back
- sweep        hands over again the due rows that no job took
- admin        the operator's outbox: list, send now, retry a failed message
- transport    the message's bytes, SMTP or .eml files
- models, jobs, views (the admin page), cli (`flask outbox`)
"""
