"""Announcements: short notices that admins post on the home page while they are current."""
