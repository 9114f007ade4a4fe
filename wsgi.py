"""The WSGI entry point and the command line: gunicorn wsgi:app, flask --app wsgi ...

The app comes with the process commands (`flask worker`, `flask cron`, `flask serve`), which
sit above the app factory."""

from helpdesk import create_app, processes

app = create_app()
processes.register_commands(app)
