"""The Dovecot fixture itself: login, append, BODY.PEEK fetch, Processed folder, MOVE."""

from __future__ import annotations

from imapclient import IMAPClient

from tests.fakes.dovecot import Dovecot


def test_append_fetch_move(dovecot: Dovecot) -> None:
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False) as client:
        client.login("bob", "bobpw")
        folders = [f[2] for f in client.list_folders()]
        assert "Processed" in folders
        client.append("INBOX", b"Subject: x\r\n\r\nxin chao\r\n")
        client.select_folder("INBOX")
        uids = client.search("ALL")
        data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
        assert data[uids[0]][b"BODY[]"].endswith(b"xin chao\r\n")
        assert b"\\Seen" not in data[uids[0]][b"FLAGS"]
        client.move(uids, "Processed")
        assert client.search("ALL") == []
        assert client.folder_status("Processed", ["MESSAGES"])[b"MESSAGES"] == 1
