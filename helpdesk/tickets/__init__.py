"""Tickets: filing, messages, attachments, events; the requester portal and the agent workspace."""
