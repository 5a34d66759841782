"""ImapSession.sizes() against a real Dovecot: its own reading of the sizes FETCH gives
what IMAPClient's parser gives, with gaps in the UIDs, several arrival times, and a flag
changed meanwhile by another connection (an unsolicited FETCH in the same answer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from intake.email.imap import ImapSession, parse_sizes, uid_set
from tests.fakes.dovecot import Dovecot
from tests.integration.intake.email.helpers import client, mail, new_mailbox


def test_sizes_read_alike_with_gaps_dates_and_an_unsolicited_fetch(dovecot: Dovecot) -> None:
    config = new_mailbox(dovecot)
    hanoi = timezone(timedelta(hours=7))
    with client(config) as imap:
        for n in range(12):
            when = datetime(2026, 11, 1 + n, 8, n, 0, tzinfo=hanoi if n % 2 else UTC)
            imap.append(config.mailbox, mail(n, size=n * 500), msg_time=when)
    session = ImapSession(config)
    try:
        uids = session.all_uids()
        with client(config) as other:
            other.select_folder(config.mailbox)
            other.move(uids[3:5], config.processed_folder)  # gaps in the mailbox
        session.client.noop()  # the session hears of the moves (expunges) now
        asked = uids[1:]  # and UIDs that are gone among those asked for
        with client(config) as other:
            other.select_folder(config.mailbox)
            other.add_flags([uids[6]], [b"\\Flagged"])
        typ, lines = session.client._imap.uid(
            "FETCH", uid_set(asked), "(RFC822.SIZE INTERNALDATE)"
        )
        assert typ == "OK"
        assert any(b"RFC822.SIZE" not in line for line in lines)  # the flag change came too
        expected = session._sizes_by_imapclient(asked)
        assert parse_sizes(lines, set(asked)) == expected
        assert session.sizes(asked) == expected
        assert sorted(expected) == [u for u in asked if u not in uids[3:5]]
        first = expected[uids[1]][1]
        assert first == datetime(2026, 11, 2, 1, 1, tzinfo=UTC)  # 08:01 in Hanoi
        assert [expected[u][0] for u in sorted(expected)] == sorted(
            expected[u][0] for u in expected
        )  # sizes grow with n, as appended
    finally:
        session.close()
