"""deploy/nats.conf: every program's user and rights, as the code defines them."""

from services.ops.nats_auth.conf import current_authorization, deploy_authorization
from services.ops.nats_auth.roles import ROLE_NAMES
from tests.support.paths import DEPLOY_NATS_CONF


def test_every_program_has_a_password_from_the_environment() -> None:
    text = DEPLOY_NATS_CONF.read_text()
    for role in (*ROLE_NAMES, "weatherbot"):  # the programs and the example bot
        assert f"user: {role}\n" in text
        assert f"password: $CHATBUS_NATS_{role.upper()}_PASSWORD\n" in text
    assert "sync_interval: always" in text


def test_deploy_nats_conf_holds_the_users_and_rights_the_code_defines() -> None:
    assert current_authorization(DEPLOY_NATS_CONF.read_text()) == deploy_authorization(), (
        "deploy/nats.conf is stale: run `python -m services.ops.nats_auth.conf deploy/nats.conf`"
    )
    assert "allow_responses" not in DEPLOY_NATS_CONF.read_text()
