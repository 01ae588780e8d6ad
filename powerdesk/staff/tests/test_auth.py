"""Sign-in: brute-force lockout, TOTP second factor, tokens from the CLI."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from powerdesk.core.models import AuditEvent
from powerdesk.staff.models import ApiToken

PASSWORD = "correct horse battery staple"


@pytest.mark.django_db
def test_login_then_staff_home(client, clerk) -> None:
    response = client.post("/staff/login/", {"username": "business.clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(verb="staff.login", actor_label="business.clerk").exists()


@pytest.mark.django_db
def test_staff_home_requires_login(client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account(client, clerk) -> None:
    for _ in range(5):
        client.post("/staff/login/", {"username": "business.clerk", "password": "wrong"})
    locked = client.post("/staff/login/", {"username": "business.clerk", "password": PASSWORD})
    assert locked.status_code == 429
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_totp_is_required_once_set_up(client, clerk) -> None:
    device = TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    without = client.post("/staff/login/", {"username": "business.clerk", "password": PASSWORD})
    assert without.status_code == 200  # form shown again with an error
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    with_code = client.post(
        "/staff/login/", {"username": "business.clerk", "password": PASSWORD, "otp_token": code}
    )
    assert with_code.status_code == 302
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_token_cli_create_list_revoke(clerk) -> None:
    out = io.StringIO()
    call_command("token", "create", "business.clerk", "--name", "robot", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("pd_")
    token = ApiToken.objects.get()
    assert token.digest != raw
    listing = io.StringIO()
    call_command("token", "list", "business.clerk", stdout=listing)
    assert "robot" in listing.getvalue()
    assert raw not in listing.getvalue()
    call_command("token", "revoke", "business.clerk", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_wrong_totp_code_is_refused(client, clerk) -> None:
    TOTPDevice.objects.create(user=clerk, name="phone", confirmed=True)
    response = client.post(
        "/staff/login/", {"username": "business.clerk", "password": PASSWORD, "otp_token": "000000"}
    )
    assert response.status_code == 200
    assert client.get("/staff/").status_code == 302
