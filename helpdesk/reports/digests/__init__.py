"""The weekly and monthly digests: each report reader's figures of the period just ended, mailed
with a workbook of them (schedule: when and what period; figures, workbook: what they say;
mailing: who gets them, queued once through the outbox)."""
