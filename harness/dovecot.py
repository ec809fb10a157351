"""A private Dovecot IMAP server for a test session, entirely under a temporary folder.

The system's Dovecot service is never used: this one has its own config file
(``dovecot -c FILE``), listens on 127.0.0.1 and a free port, speaks plain IMAP with
cleartext login (``MailBoxUnencrypted``; production keeps TLS) and keeps maildirs, state,
sockets and its log in the folder. Each account has its own ``passwd-file``
(``users/<name>``, found through ``%u`` in the path), so every test can have a fresh,
empty account without a restart: Dovecot notices changes to one shared passwd-file only
seconds later, and a login it refuses costs ``auth_failure_delay`` (set to 0 here).

Traps this works around (see also /work/shared/TESTING.md):

* As root, Dovecot refuses to run ``imap-login`` as root: login processes run as
  ``dovenull``, internal ones as ``dovecot``, mail as ``dovecot``'s uid (hence
  ``first_valid_uid``), the mail folder belongs to it and the temporary folder is 755.
* ``chroot =`` for ``imap-login`` and ``anvil``: their default chroot is under
  ``base_dir`` and needs root-owned paths.
* 2.3 and 2.4 differ in option names (``disable_plaintext_auth`` became
  ``auth_allow_cleartext``, ``mail_location`` became ``mail_driver`` + ``mail_path``,
  ``passdb { driver = … args = … }`` became ``passdb passwd-file { … }``); the version is
  read from ``dovecot --version``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from imap_tools import MailBoxUnencrypted

from harness import free_port

MAILBOXES = ("Processed", "Rejected")


@dataclass(frozen=True)
class ImapAccount:
    """Where and as whom a test logs in: ``MailBoxUnencrypted(host, port).login(user, …)``."""

    host: str
    port: int
    user: str
    password: str


def deliver(account: ImapAccount, *messages: bytes) -> None:
    """Put raw messages in the account's INBOX, as the MTA would (one login for all)."""
    with MailBoxUnencrypted(account.host, account.port).login(account.user,
                                                               account.password) as box:
        for raw in messages:
            box.append(raw, "INBOX")


def folder_counts(account: ImapAccount,
                  names: tuple[str, ...] = ("INBOX", *MAILBOXES)) -> dict[str, int]:
    """How many messages each of ``names`` holds."""
    with MailBoxUnencrypted(account.host, account.port).login(account.user,
                                                               account.password) as box:
        counts = {}
        for name in names:
            box.folder.set(name)
            counts[name] = len(box.uids())
        return counts


def dovecot_binary() -> str | None:
    """The ``dovecot`` executable (it lives in /usr/sbin, often not on a user's PATH)."""
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")


def _config_23(root: Path, port: int, uid: int, gid: int, login: str, internal: str) -> str:
    mail = root / "mail"
    boxes = "".join(f"  mailbox {name} {{\n    auto = create\n  }}\n" for name in MAILBOXES)
    return f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login}
default_internal_user = {internal}
first_valid_uid = {uid}
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
{boxes}}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _config_24(root: Path, port: int, uid: int, gid: int, login: str, internal: str) -> str:
    mail = root / "mail"
    boxes = "".join(f"  mailbox {name} {{\n    auto = create\n  }}\n" for name in MAILBOXES)
    return f"""\
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login}
default_internal_user = {internal}
first_valid_uid = {uid}
mail_driver = maildir
mail_home = {mail}/%{{user}}
mail_path = {mail}/%{{user}}
passdb passwd-file {{
  passwd_file_path = {root}/users/%{{user}}
}}
userdb static {{
  fields {{
    uid = {uid}
    gid = {gid}
    home = {mail}/%{{user}}
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
{boxes}}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _workers_of(master: int, *, with_log: bool = False) -> list[int]:
    """Children of Dovecot's master that still work, its log process aside (Linux /proc)."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" ", 1)
        except OSError:
            continue
        name, _, fields = rest.rpartition(") ")
        if int(fields.split()[1]) == master and (with_log or name != "(log"):
            workers.append(int(pid))
    return workers


def _await_exit(master: int, *, wait: bool, timeout: float = 10) -> None:
    """Until the master's workers are gone (with ``wait``: the master too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(master, 0)
        except ProcessLookupError:
            return
        if not wait and not _workers_of(master):
            return
        time.sleep(0.02)


class DovecotServer:
    """One private Dovecot: ``start()``, ``add_account()`` per test, ``stop()``, ``log()``."""

    host = "127.0.0.1"

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                      check=True).stdout.split()[0]
        self.root = Path(tempfile.mkdtemp(prefix="kvitt-dovecot-", dir="/tmp"))
        self.port = 0
        self._accounts = 0
        self.account = ImapAccount(self.host, 0, "", "")

    # The fixture hands this object out as "the" account, too.
    @property
    def user(self) -> str:
        """The session's first account."""
        return self.account.user

    @property
    def password(self) -> str:
        """The session's first account's password."""
        return self.account.password

    def start(self, attempts: int = 3, *, same_port: bool = False) -> DovecotServer:
        """Write the config, start Dovecot, wait until it accepts connections.

        ``same_port``: start again where it listened before (after ``kill()``), keeping
        its accounts and mail: a server restart as a client sees it.
        """
        again = same_port and self.port != 0
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("dovecot")
            login, internal = "dovenull", "dovecot"
            self.root.chmod(0o755)
        else:
            mail_user = pwd.getpwuid(os.getuid())
            login = internal = mail_user.pw_name
        (self.root / "mail").mkdir(exist_ok=True)
        os.chown(self.root / "mail", mail_user.pw_uid, mail_user.pw_gid)
        (self.root / "users").mkdir(exist_ok=True)
        render = _config_24 if self.version.startswith("2.4") else _config_23
        for attempt in range(attempts):
            self.port = self.port if again else free_port()
            config = self.root / "dovecot.conf"
            config.write_text(render(self.root, self.port, mail_user.pw_uid, mail_user.pw_gid,
                                     login, internal))
            # Output to a file, not a pipe: the daemon inherits it and would hold a pipe open.
            output = self.root / "startup.out"
            with output.open("w") as out:
                done = subprocess.run([self.binary, "-c", str(config)], stdout=out,
                                      stderr=subprocess.STDOUT, check=False)
            if done.returncode == 0 and self._wait_until_listening():
                break
            self.stop(wait=True)
            if attempt == attempts - 1:
                raise RuntimeError(f"Dovecot {self.version} did not start: "
                                   f"{output.read_text()}\n{self.log()}")
        if not again:
            self.account = self.add_account()
        return self

    def kill(self) -> None:
        """SIGKILL the master and every process it started: a crash, nothing finished."""
        pid = self._master_pid()
        if pid is None:
            return
        for victim in [pid, *_workers_of(pid, with_log=True)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        _await_exit(pid, wait=False)
        (self.root / "run" / "master.pid").unlink(missing_ok=True)

    def _wait_until_listening(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        sock.sendall(b"a LOGOUT\r\n")
                        sock.recv(100)
                        return True
            except OSError:
                time.sleep(0.02)
        return False

    def add_account(self, user: str | None = None, password: str | None = None) -> ImapAccount:
        """A new account with an empty mailbox, usable at once (its own passwd-file)."""
        self._accounts += 1
        user = user or f"kvitt{self._accounts}"
        password = password or secrets.token_urlsafe(12)
        (self.root / "users" / user).write_text(f"{user}:{{PLAIN}}{password}::::::\n")
        return ImapAccount(self.host, self.port, user, password)

    def log(self, lines: int = 80) -> str:
        """The end of Dovecot's log, to print when a test fails."""
        path = self.root / "dovecot.log"
        if not path.exists():
            return "(no Dovecot log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _master_pid(self) -> int | None:
        try:
            return int((self.root / "run" / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self, *, wait: bool = False) -> None:
        """Stop our Dovecot by the pid in its own pid file.

        Returns once its mail, auth and login processes are gone; with ``wait``, once the
        master has exited too (it lingers about two seconds more, which would add those
        seconds to every test session).
        """
        pid = self._master_pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        _await_exit(pid, wait=wait)

    def remove(self) -> None:
        """Stop it and delete the temporary folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
