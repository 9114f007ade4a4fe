"""Channels: replies and tickets by mail (IMAP or the embedded maildir), calls to the hotline."""
