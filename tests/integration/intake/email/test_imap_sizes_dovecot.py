"""ImapSession.sizes() against a real Dovecot (imapclient's public fetch): sizes and arrival
times in UTC, with gaps in the UIDs, UIDs gone among those asked for, and a flag changed
meanwhile by another connection (an unsolicited FETCH in the same answer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from intake.email.imap import ImapSession
from tests.fakes.dovecot import Dovecot
from tests.integration.intake.email.helpers import client, mail, new_mailbox


def test_sizes_with_gaps_dates_and_an_unsolicited_fetch(dovecot: Dovecot) -> None:
    config = new_mailbox(dovecot)
    hanoi = timezone(timedelta(hours=7))
    sent = [mail(n, size=n * 500) for n in range(12)]
    with client(config) as imap:
        for n, raw in enumerate(sent):
            when = datetime(2026, 11, 1 + n, 8, n, 0, tzinfo=hanoi if n % 2 else UTC)
            imap.append(config.mailbox, raw, msg_time=when)
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
            other.add_flags([uids[6]], [b"\\Flagged"])  # told to the session in the answer
        found = session.sizes(asked)
    finally:
        session.close()
    assert sorted(found) == [u for u in asked if u not in uids[3:5]]
    assert found[uids[1]] == (len(sent[1]), datetime(2026, 11, 2, 1, 1, tzinfo=UTC))  # 08:01
    assert found[uids[2]] == (len(sent[2]), datetime(2026, 11, 3, 8, 2, tzinfo=UTC))
    assert all(found[uid][0] == len(sent[uids.index(uid)]) for uid in found)
