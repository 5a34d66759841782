"""OAuth v4 with PKCE against the fake: exchange, rotation, single use, errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from publisher.zalo.errors import ZaloOAuthError, ZaloOutcomeUnknown, ZaloTransientError
from publisher.zalo.oauth import (
    consent_url,
    exchange_code,
    new_pkce,
    parse_token_response,
    pkce_challenge,
    refresh_tokens,
)
from tests.fakes.zalo_api import FakeZalo
from tests.support.ports import free_port


def test_pkce_matches_rfc7636_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_new_pkce_is_43_characters_and_fresh() -> None:
    first, second = new_pkce(), new_pkce()
    assert len(first.verifier) == 43
    assert first.verifier != second.verifier
    assert first.challenge == pkce_challenge(first.verifier)


def test_consent_url_carries_app_callback_challenge_and_state() -> None:
    url = consent_url(
        oauth_base="https://oauth.zaloapp.com/",
        app_id="123",
        redirect_uri="https://news.example.vn/zalo/callback",
        challenge="abc",
        state="s1",
    )
    parts = urlsplit(url)
    assert parts.path == "/v4/oa/permission"
    assert parse_qs(parts.query) == {
        "app_id": ["123"],
        "redirect_uri": ["https://news.example.vn/zalo/callback"],
        "code_challenge": ["abc"],
        "state": ["s1"],
    }


async def test_code_exchange_then_refresh_rotates_and_old_token_dies(
    fake_zalo: FakeZalo, http: httpx.AsyncClient
) -> None:
    pkce = new_pkce()
    code = fake_zalo.consent(pkce.challenge)
    common = {"oauth_base": fake_zalo.url, "app_id": "fake-app", "app_secret": "fake-secret"}
    first = await exchange_code(http, code=code, verifier=pkce.verifier, **common)
    assert first.expires_in == 90000
    second = await refresh_tokens(http, refresh_token=first.refresh_token, **common)
    assert second.refresh_token != first.refresh_token
    assert second.access_token in fake_zalo.access_tokens
    with pytest.raises(ZaloOAuthError) as caught:
        await refresh_tokens(http, refresh_token=first.refresh_token, **common)
    assert caught.value.code == -14014
    assert caught.value.error_name == "Invalid refresh token"


async def test_code_is_single_use_and_needs_the_verifier(
    fake_zalo: FakeZalo, http: httpx.AsyncClient
) -> None:
    pkce = new_pkce()
    common = {"oauth_base": fake_zalo.url, "app_id": "fake-app", "app_secret": "fake-secret"}
    code = fake_zalo.consent(pkce.challenge)
    with pytest.raises(ZaloOAuthError):
        await exchange_code(http, code=code, verifier=new_pkce().verifier, **common)
    code = fake_zalo.consent(pkce.challenge)
    await exchange_code(http, code=code, verifier=pkce.verifier, **common)
    with pytest.raises(ZaloOAuthError):
        await exchange_code(http, code=code, verifier=pkce.verifier, **common)


async def test_wrong_secret_key_header_is_an_oauth_error(
    fake_zalo: FakeZalo, http: httpx.AsyncClient
) -> None:
    tokens = fake_zalo.seed_tokens()
    with pytest.raises(ZaloOAuthError) as caught:
        await refresh_tokens(
            http,
            oauth_base=fake_zalo.url,
            app_id="fake-app",
            app_secret="wrong",
            refresh_token=tokens["refresh_token"],
        )
    assert caught.value.code == -14004
    # The refused call did not consume the token.
    assert tokens["refresh_token"] in fake_zalo.refresh_tokens


async def test_refresh_5xx_is_an_unknown_outcome_and_the_old_token_may_still_work(
    fake_zalo: FakeZalo, http: httpx.AsyncClient
) -> None:
    """A 5xx after the request left: Zalo may have rotated the pair (the keeper alerts); when
    it did not, the stored token still works."""
    tokens = fake_zalo.seed_tokens()
    fake_zalo.fail("/v4/oa/access_token", "5xx")
    common = {"oauth_base": fake_zalo.url, "app_id": "fake-app", "app_secret": "fake-secret"}
    with pytest.raises(ZaloOutcomeUnknown):
        await refresh_tokens(http, refresh_token=tokens["refresh_token"], **common)
    pair = await refresh_tokens(http, refresh_token=tokens["refresh_token"], **common)
    assert pair.access_token in fake_zalo.access_tokens


async def test_refresh_that_never_connected_is_transient(http: httpx.AsyncClient) -> None:
    """Nothing was sent: the refresh token was not consumed."""
    common = {"app_id": "fake-app", "app_secret": "fake-secret", "refresh_token": "RT"}
    with pytest.raises(ZaloTransientError) as raised:
        await refresh_tokens(http, oauth_base=f"http://127.0.0.1:{free_port()}", **common)
    assert not isinstance(raised.value, ZaloOutcomeUnknown)


def test_token_response_tolerates_extra_field_and_requires_both_tokens() -> None:
    body = {
        "access_token": "a",
        "refresh_token": "r",
        "expires_in": "90000",
        "refresh_token_expires_in": "7776000",
    }
    assert parse_token_response(body).expires_in == 90000
    with pytest.raises(ZaloOAuthError):
        parse_token_response({"access_token": "a", "expires_in": "90000"})
    with pytest.raises(ZaloOAuthError):
        parse_token_response({"error": -14003, "error_name": "Invalid redirect uri"})
