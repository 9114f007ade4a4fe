"""The site: home page, language switch, health check, template helpers."""
