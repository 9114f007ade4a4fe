"""Notifications: the outbox, e-mail templates, the send job and the mail transport."""
