"""Rendering a console page: the template with what every page shows (who is logged in, the
CSRF token), the 303 answer, and the refusals (login needed, not allowed)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from storage.logins import ROLE_LABELS, Role
from web.console.deps import deps_of
from web.console.security import csrf_token, identity

LOGIN_HELP = "/dang-nhap"


def see_other(location: str) -> web.Response:
    """A 303 answer that a handler can still add cookies to."""
    return web.Response(status=303, headers={"Location": location})


def page(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    """Render a template with what every page shows (who is logged in, the CSRF token)."""
    who = identity(request)
    context = {
        "me": who,
        "role_label": ROLE_LABELS[who.role] if who else "",
        "csrf": csrf_token(request),
        "province": deps_of(request).settings.org.province_name,
        "oa": deps_of(request).settings.zalo.oa_name,
        "Role": Role,
        **values,
    }
    return aiohttp_jinja2.render_template(template, request, context, status=status)


async def login_needed(request: web.Request) -> web.StreamResponse:
    if request.method == "GET":
        raise web.HTTPSeeOther(LOGIN_HELP)
    return page(request, "message.html", status=401, title="Cần đăng nhập", text=NEED_LOGIN)


async def forbidden(request: web.Request, *, csrf: bool = False) -> web.StreamResponse:
    text = CSRF_REFUSED if csrf else NOT_ALLOWED
    return page(request, "message.html", status=403, title="Không được phép", text=text)


NEED_LOGIN = "Vui lòng đăng nhập bằng liên kết một lần (gõ /dangnhap cho bot Telegram)."
NOT_ALLOWED = "Tài khoản của đồng chí không có quyền mở trang này."
CSRF_REFUSED = "Biểu mẫu đã hết hiệu lực. Vui lòng tải lại trang rồi thử lại."
TOO_MANY_ATTEMPTS = "Quá nhiều lần thử đăng nhập từ địa chỉ này. Vui lòng thử lại sau 15 phút."
