"""E-mail over SMTP (the standard library's :mod:`smtplib`), configured from the environment.

``SMTP_HOST`` (no host: e-mail is not configured and its deliveries wait), ``SMTP_PORT``
(default 587 with ``SMTP_STARTTLS``, else 25), ``SMTP_USER`` and ``SMTP_PASSWORD`` (sign-in,
when both are set), ``SMTP_FROM`` (the sender address) and ``SMTP_STARTTLS`` (``1``/``true``:
upgrade the connection with STARTTLS, checking the server's certificate). The password is never
logged or shown (hidden from ``repr``); a failure names the SMTP code, never an address.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

from gis.notify.delivery import DeliveryError, Outgoing

#: The environment keys read here.
ENV_KEYS = ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_STARTTLS")
#: The sender address when ``SMTP_FROM`` is not set.
DEFAULT_SENDER = "borderwatch@localhost"
#: Seconds to connect and for each answer.
TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = DEFAULT_SENDER
    starttls: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """The settings in ``environ`` (the process's environment by default)."""
        env = os.environ if environ is None else environ
        starttls = env.get("SMTP_STARTTLS", "").strip().lower() in ("1", "true", "yes", "on")
        port = env.get("SMTP_PORT", "").strip()
        return cls(
            host=env.get("SMTP_HOST", "").strip(),
            port=int(port) if port else (587 if starttls else 25),
            user=env.get("SMTP_USER", "").strip(),
            password=env.get("SMTP_PASSWORD", ""),
            sender=env.get("SMTP_FROM", "").strip() or DEFAULT_SENDER,
            starttls=starttls,
        )

    @property
    def configured(self) -> bool:
        return bool(self.host)


def build_message(settings: SmtpSettings, message: Outgoing) -> EmailMessage:
    """The e-mail of ``message``: plain UTF-8 text, its ``Message-ID`` made from the delivery
    key (a resend is the same message)."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = message.address
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message.message_id
    mail["Content-Language"] = message.language
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text)
    return mail


class SmtpSender:
    """Sends e-mail through the configured SMTP server, one connection per message."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: Outgoing) -> None:
        """Send ``message``.

        Raises:
            DeliveryError: retriable when the server was not reached or answered 4xx; not when
                it refused the message or the recipient for good (5xx).
        """
        s = self.settings
        mail = build_message(s, message)
        try:
            with smtplib.SMTP(s.host, s.port, timeout=TIMEOUT) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user and s.password:
                    smtp.login(s.user, s.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise DeliveryError(
                f"SMTP refused the recipient ({', '.join(map(str, codes))})",
                retriable=all(400 <= c < 500 for c in codes),
            ) from None
        except smtplib.SMTPAuthenticationError as exc:  # the settings are wrong: wait for them
            raise DeliveryError(f"SMTP sign-in refused ({exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP answered {exc.smtp_code}", retriable=400 <= exc.smtp_code < 500
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP server not reached ({type(exc).__name__})") from None
