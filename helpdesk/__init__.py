"""The helpdesk for Vietnam's centralized ministry-level TTHC systems: the app factory."""

from __future__ import annotations

import os

from flask import Flask

from helpdesk import errors, extensions, inputs, reference_cache, trust, worker
from helpdesk.announcements import models as announcement_models
from helpdesk.announcements.views import bp as announcements_bp
from helpdesk.api.token_views import bp as tokens_bp
from helpdesk.api.views import bp as api_bp
from helpdesk.auth import models as auth_models
from helpdesk.auth.admin_views import bp as accounts_bp
from helpdesk.auth.cli import token_cli, user_cli
from helpdesk.auth.views import bp as auth_bp
from helpdesk.auth.views.units import bp as units_bp
from helpdesk.catalogue import models as catalogue_models
from helpdesk.catalogue.cli import seed_command
from helpdesk.channels import models as channel_models
from helpdesk.channels.cli import mail_cli
from helpdesk.channels.views import bp as channels_bp
from helpdesk.config import Config, fill_instance_defaults, from_environ, settle_hosts
from helpdesk.directory import models as directory_models
from helpdesk.directory.cli import directory_cli
from helpdesk.directory.views import bp as directory_bp
from helpdesk.help import models as help_models
from helpdesk.help.views import bp as help_bp
from helpdesk.logs import configure_logging
from helpdesk.notifications import models as notification_models
from helpdesk.notifications import outbox
from helpdesk.notifications.cli import outbox_cli
from helpdesk.notifications.views import bp as outbox_bp
from helpdesk.reports import models as report_models
from helpdesk.reports.cli import reports_cli
from helpdesk.reports.views import bp as reports_bp
from helpdesk.requests import models as request_models
from helpdesk.requests.views import bp as requests_bp
from helpdesk.routing import models as routing_models
from helpdesk.routing.cli import route_cli
from helpdesk.routing.services import visibility
from helpdesk.routing.views import bp as routing_bp
from helpdesk.site import templating
from helpdesk.site.views import bp as site_bp
from helpdesk.sla import models as sla_models
from helpdesk.sla.cli import sla_cli
from helpdesk.sla.views import bp as sla_bp
from helpdesk.tickets import follower_models
from helpdesk.tickets import models as ticket_models
from helpdesk.tickets.services import escalation, offers
from helpdesk.tickets.views import bp as tickets_bp

# Every table known to the metadata (migrations, tests); reference_cache holds the reference
# stamp and the hook that moves it.
MODEL_MODULES = (
    catalogue_models,
    auth_models,
    announcement_models,
    notification_models,
    routing_models,
    sla_models,
    request_models,
    ticket_models,
    follower_models,
    channel_models,
    report_models,
    directory_models,
    help_models,
    reference_cache,
)


def create_app(config: type[Config] = Config, **overrides) -> Flask:
    # HELPDESK_INSTANCE_PATH moves instance/ (tests, several deployments on one host).
    instance_path = overrides.pop("instance_path", None) or os.environ.get("HELPDESK_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(from_environ(os.environ))
    app.config.update(overrides)
    fill_instance_defaults(app.config, app.instance_path)
    settle_hosts(app.config)
    trust.init_app(app)
    configure_logging(app)
    extensions.init_app(app)
    # The session listeners: queued mail goes in with each flush, a write to the reference
    # tables moves their stamp, a flush forgets the memo of the user's queues.
    outbox.register()
    reference_cache.watch_writes()
    visibility.register()
    inputs.init_app(app)
    register_blueprints(app)
    errors.register_handlers(app)
    register_commands(app)
    templating.register(app)
    escalation.init_app(app)  # tickets tell the SLA's reached deadlines
    offers.init_app(app)  # tickets offer a new member of a queue its waiting tickets
    return app


# A job finding no app context (a plain `rq worker`) runs in an app of its own, made here.
worker.use_app_factory(create_app)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(site_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(units_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(routing_bp)
    app.register_blueprint(tickets_bp)
    app.register_blueprint(requests_bp)
    app.register_blueprint(sla_bp)
    app.register_blueprint(announcements_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(channels_bp)


def register_commands(app: Flask) -> None:
    """The domains' commands; the process commands (worker, cron, serve) are added by wsgi.py."""
    for command in (
        seed_command,
        user_cli,
        token_cli,
        route_cli,
        outbox_cli,
        sla_cli,
        directory_cli,
        reports_cli,
        mail_cli,
    ):
        app.cli.add_command(command)
