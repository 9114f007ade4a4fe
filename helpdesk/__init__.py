"""The helpdesk for Vietnam's centralized ministry-level TTHC systems: the app factory."""

from __future__ import annotations

import importlib
import os

from flask import Flask

from helpdesk import errors, extensions, inputs, trust
from helpdesk.config import Config, fill_instance_defaults, from_environ, settle_hosts
from helpdesk.logs import configure_logging
from helpdesk.notifications import outbox
from helpdesk.tickets.services import escalation

MODEL_MODULES = (
    "helpdesk.catalogue.models",
    "helpdesk.auth.models",
    "helpdesk.notifications.models",
    "helpdesk.routing.models",
    "helpdesk.sla.models",
    "helpdesk.tickets.models",
    "helpdesk.reports.models",
    "helpdesk.reference_cache",  # the reference stamp, and the hook that moves it
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
    for module in MODEL_MODULES:  # every table known to the metadata (migrations, tests)
        importlib.import_module(module)
    extensions.init_app(app)
    outbox.register()  # queued mail goes in with each flush
    inputs.init_app(app)
    register_blueprints(app)
    errors.register_handlers(app)
    register_commands(app)
    register_template_helpers(app)
    escalation.init_app(app)  # tickets tell the SLA's reached deadlines
    return app


def register_blueprints(app: Flask) -> None:
    from helpdesk.api.token_views import bp as tokens_bp
    from helpdesk.api.views import bp as api_bp
    from helpdesk.auth.admin_views import bp as accounts_bp
    from helpdesk.auth.views import bp as auth_bp
    from helpdesk.notifications.views import bp as outbox_bp
    from helpdesk.reports.views import bp as reports_bp
    from helpdesk.routing.views import bp as routing_bp
    from helpdesk.site.views import bp as site_bp
    from helpdesk.sla.views import bp as sla_bp
    from helpdesk.tickets.views import bp as tickets_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(routing_bp)
    app.register_blueprint(tickets_bp)
    app.register_blueprint(sla_bp)


def register_commands(app: Flask) -> None:
    from helpdesk.auth.cli import token_cli, user_cli
    from helpdesk.catalogue.cli import seed_command
    from helpdesk.notifications.cli import outbox_cli
    from helpdesk.routing.cli import route_cli
    from helpdesk.sla.cli import sla_cli
    from helpdesk.worker import cron_command, serve_command, worker_command

    for command in (seed_command, user_cli, token_cli, worker_command, cron_command, serve_command):
        app.cli.add_command(command)
    app.cli.add_command(route_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(sla_cli)


def register_template_helpers(app: Flask) -> None:
    from helpdesk.site.templating import register

    register(app)
