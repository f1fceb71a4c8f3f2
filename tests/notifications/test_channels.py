"""Each notification channel against a fake receiver on 127.0.0.1: success, failure then
recovery, timeout, garbage — every attempt logged, nothing raised, no real sleeping."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import socket
import socketserver
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kaimen.lib.errors import ValidationError
from kaimen.notifications.channels import (
    WECOM_MAX_BYTES,
    Attachment,
    DeliveryStatus,
    DingTalkChannel,
    EmailChannel,
    InAppChannel,
    Message,
    RetryPolicy,
    SmtpConfig,
    WeComChannel,
    broadcast,
    dingtalk_sign,
    mask_url,
)

NOW = datetime(2025, 3, 10, 0, 0, tzinfo=UTC)  # 08:00 on Monday in Beijing
MESSAGE = Message(
    title="全区开门红工作调度通报（第5期）",
    text="本周主要指标总体平稳。\n社零额亮红灯，请区商务局说明原因。",
    link="https://kaimen.example.gov.cn/briefings/5",
)
OK = {"errcode": 0, "errmsg": "ok"}
TIMEOUT = 0.3  # a real socket timeout, kept short; the waits *between* attempts are injected


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def clock() -> datetime:
    return NOW


# ---------------------------------------------------------------------------------------------
# A fake robot webhook


class FakeRobot(ThreadingHTTPServer):
    """Answers each POST with the next scripted reply and records what it received."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RobotHandler)
        self.script: list[tuple] = []
        self.requests: list[dict] = []
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/robot/send?access_token=tok123456"


class _RobotHandler(BaseHTTPRequestHandler):
    server: FakeRobot

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length)
        parts = urllib.parse.urlsplit(self.path)
        self.server.requests.append(
            {
                "path": parts.path,
                "query": dict(urllib.parse.parse_qsl(parts.query)),
                "content_type": self.headers["Content-Type"],
                "json": json.loads(body),
            }
        )
        reply = self.server.script.pop(0) if self.server.script else ("json", 200, OK)
        kind = reply[0]
        if kind == "hang":
            self.server.release.wait(5)
            return
        status, payload = reply[1], reply[2]
        data = json.dumps(payload).encode() if kind == "json" else payload
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass


@pytest.fixture
def robot() -> Iterator[FakeRobot]:
    server = FakeRobot()
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def dingtalk(robot: FakeRobot, sleeps: Sleeps, **kwargs) -> DingTalkChannel:
    return DingTalkChannel(
        robot.url,
        timeout=TIMEOUT,
        retry=RetryPolicy(attempts=3),
        sleep=sleeps,
        clock=clock,
        **kwargs,
    )


def test_dingtalk_success_posts_markdown_signed_with_timestamp_and_secret(robot):
    sleeps = Sleeps()
    delivery = dingtalk(robot, sleeps, secret="SECabc", at_mobiles=["13800000000"]).send(MESSAGE)
    assert delivery.delivered
    (attempt,) = delivery.attempts
    assert attempt.status == DeliveryStatus.SENT
    assert attempt.response_code == 200
    assert json.loads(attempt.response_excerpt) == OK
    assert sleeps == []
    (request,) = robot.requests
    assert request["content_type"] == "application/json; charset=utf-8"
    payload = request["json"]
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == MESSAGE.title
    assert payload["markdown"]["text"].startswith("### 全区开门红工作调度通报（第5期）")
    assert "[查看详情](https://kaimen.example.gov.cn/briefings/5)" in payload["markdown"]["text"]
    assert payload["at"] == {"atMobiles": ["13800000000"], "isAtAll": False}
    # 加签: timestamp in milliseconds; sign = base64(HMAC-SHA256(secret, "timestamp\nsecret"))
    query = request["query"]
    assert query["access_token"] == "tok123456"
    assert query["timestamp"] == "1741564800000"
    expected = base64.b64encode(
        hmac.new(b"SECabc", b"1741564800000\nSECabc", hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected  # parse_qsl has undone the URL encoding
    assert dingtalk_sign("SECabc", "1741564800000") == urllib.parse.quote_plus(expected)


def test_dingtalk_errcode_is_a_failure_then_recovers_on_retry(robot):
    robot.script = [
        ("json", 200, {"errcode": 310000, "errmsg": "sign not match"}),
        ("json", 200, OK),
    ]
    sleeps = Sleeps()
    delivery = dingtalk(robot, sleeps).send(MESSAGE)
    assert delivery.delivered
    first, second = delivery.attempts
    assert first.status == DeliveryStatus.FAILED
    assert first.response_code == 200
    assert "errcode=310000 sign not match" in first.error
    assert second.status == DeliveryStatus.SENT
    assert sleeps == [2.0]
    assert len(robot.requests) == 2


def test_wecom_500_then_recovery(robot):
    robot.script = [
        ("raw", 500, b"internal error"),
        ("raw", 502, b"bad gateway"),
        ("json", 200, OK),
    ]
    sleeps = Sleeps()
    channel = WeComChannel(robot.url, timeout=TIMEOUT, sleep=sleeps, clock=clock)
    delivery = channel.send(MESSAGE)
    assert delivery.delivered
    assert [a.response_code for a in delivery.attempts] == [500, 502, 200]
    assert delivery.attempts[0].error == "HTTP 500 Internal Server Error"
    assert delivery.attempts[0].response_excerpt == "internal error"
    assert sleeps == [2.0, 4.0]  # exponential backoff
    payload = robot.requests[-1]["json"]
    assert payload == {
        "msgtype": "markdown",
        "markdown": {"content": payload["markdown"]["content"]},
    }
    assert "社零额亮红灯" in payload["markdown"]["content"]


def test_garbage_json_is_a_failed_attempt_logged_and_retried_never_an_exception(robot):
    robot.script = [("raw", 200, b"<html>gateway</html>")] * 3
    sleeps = Sleeps()
    delivery = dingtalk(robot, sleeps).send(MESSAGE)
    assert not delivery.delivered
    assert len(delivery.attempts) == 3
    assert all(a.status == DeliveryStatus.FAILED for a in delivery.attempts)
    assert all("不是JSON" in a.error for a in delivery.attempts)
    assert delivery.attempts[0].response_excerpt == "<html>gateway</html>"
    assert sleeps == [2.0, 4.0]
    assert "3次尝试均失败" in delivery.summary
    assert "消息已保留" in delivery.summary


def test_json_without_errcode_is_not_a_robot(robot):
    robot.script = [("json", 200, {"hello": "world"})]
    delivery = WeComChannel(robot.url, retry=RetryPolicy(attempts=1), sleep=Sleeps()).send(MESSAGE)
    assert not delivery.delivered
    assert "没有errcode" in delivery.attempts[0].error


def test_a_receiver_that_times_out_is_retried_and_logged(robot):
    robot.script = [("hang",), ("json", 200, OK)]
    sleeps = Sleeps()
    delivery = dingtalk(robot, sleeps).send(MESSAGE)
    assert delivery.delivered
    first, second = delivery.attempts
    assert first.status == DeliveryStatus.FAILED
    assert "超时" in first.error
    assert first.response_code is None
    assert second.status == DeliveryStatus.SENT
    assert sleeps == [2.0]


def test_a_receiver_that_is_not_listening_is_a_failed_delivery_not_an_exception():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens here
    sleeps = Sleeps()
    channel = WeComChannel(
        f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=abcdef123", sleep=sleeps, timeout=TIMEOUT
    )
    delivery = channel.send(MESSAGE)
    assert not delivery.delivered
    assert len(delivery.attempts) == 3
    assert all("无法连接" in a.error for a in delivery.attempts)


def test_tokens_are_masked_in_the_delivery_log(robot):
    delivery = dingtalk(robot, Sleeps(), secret="SECabc").send(MESSAGE)
    assert "tok123456" not in delivery.target
    assert "tok1****" in delivery.target
    assert "SECabc" not in repr(delivery)
    assert mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx") == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a****"
    )


def test_wecom_markdown_is_cut_to_its_byte_limit(robot):
    long = Message(title="通报", text="指标情况说明。" * 2000)
    WeComChannel(robot.url, sleep=Sleeps()).send(long)
    content = robot.requests[0]["json"]["markdown"]["content"]
    assert len(content.encode("utf-8")) <= WECOM_MAX_BYTES
    assert content.endswith("完整内容请登录平台查看）")


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "not a url"])
def test_a_webhook_that_is_not_http_is_refused_when_configured(url):
    with pytest.raises(ValidationError, match="Webhook地址"):
        DingTalkChannel(url)


def test_retry_policy_bounds_and_backoff():
    policy = RetryPolicy(attempts=5, backoff_seconds=1, factor=3, max_backoff_seconds=10)
    assert [policy.delay(n) for n in range(1, 5)] == [1, 3, 9, 10]
    with pytest.raises(ValidationError):
        RetryPolicy(attempts=0)


# ---------------------------------------------------------------------------------------------
# A fake SMTP server: just enough of RFC 5321 for smtplib


class FakeSmtp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        # One mode per connection: ok | busy (421 greeting) | reject_data (451 after DATA)
        # | refuse_rcpt (550 for every recipient) | hang (never greets)
        self.script: list[str] = []
        self.messages: list[dict] = []
        self.release = threading.Event()


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: FakeSmtp

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        mode = self.server.script.pop(0) if self.server.script else "ok"
        if mode == "hang":
            self.server.release.wait(5)
            return
        if mode == "busy":
            self.reply("421 fake.local too busy, try later")
            return
        self.reply("220 fake.local ESMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-fake.local\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
            elif verb == "HELO":
                self.reply("250 fake.local")
            elif verb == "MAIL":
                sender = command.split(":", 1)[1].split()[0].strip("<>")
                self.reply("250 OK")
            elif verb == "RCPT":
                if mode == "refuse_rcpt":
                    self.reply("550 no such user")
                else:
                    recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                    self.reply("250 OK")
            elif verb == "DATA":
                if mode == "reject_data":
                    self.reply("451 local error in processing")
                    continue
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.server.messages.append(
                    {"from": sender, "to": recipients, "raw": b"".join(lines)}
                )
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def email_channel(smtp: FakeSmtp, sleeps: Sleeps, *, timeout: float = TIMEOUT) -> EmailChannel:
    config = SmtpConfig(
        host="127.0.0.1", port=smtp.server_address[1], sender="ddb@kaimen.gov.cn", timeout=timeout
    )
    return EmailChannel(
        config, ["leader@kaimen.gov.cn", "office@kaimen.gov.cn"], sleep=sleeps, clock=clock
    )


BRIEFING = Message(
    title="全区开门红工作调度通报（第5期）",
    text="请查收本期调度通报及附表。",
    attachments=(
        Attachment(
            "调度通报第5期.docx",
            b"PK fake docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ),
)


def test_email_is_delivered_with_a_chinese_subject_and_the_attachment(smtp):
    sleeps = Sleeps()
    delivery = email_channel(smtp, sleeps).send(BRIEFING)
    assert delivery.delivered
    assert delivery.attempts[0].response_code == 250
    (received,) = smtp.messages
    assert received["from"] == "ddb@kaimen.gov.cn"
    assert received["to"] == ["leader@kaimen.gov.cn", "office@kaimen.gov.cn"]
    mail = email.message_from_bytes(received["raw"], policy=email.policy.default)
    assert mail["Subject"] == "全区开门红工作调度通报（第5期）"
    assert mail["Message-ID"].endswith("@kaimen.gov.cn>")
    body = mail.get_body(("plain",)).get_content()
    assert "请查收本期调度通报及附表。" in body
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "调度通报第5期.docx"
    assert attachment.get_content() == b"PK fake docx"
    assert sleeps == []


def test_email_fails_then_recovers(smtp):
    smtp.script = ["busy", "reject_data", "ok"]
    sleeps = Sleeps()
    delivery = email_channel(smtp, sleeps).send(BRIEFING)
    assert delivery.delivered
    busy, rejected, sent = delivery.attempts
    assert busy.status == DeliveryStatus.FAILED
    assert busy.response_code == 421
    assert rejected.response_code == 451
    assert "451" in rejected.error
    assert sent.status == DeliveryStatus.SENT
    assert sleeps == [2.0, 4.0]
    assert len(smtp.messages) == 1


def test_an_smtp_server_that_never_answers_times_out_and_is_logged(smtp):
    smtp.script = ["hang", "hang", "hang"]
    delivery = email_channel(smtp, Sleeps()).send(BRIEFING)
    assert not delivery.delivered
    assert len(delivery.attempts) == 3
    assert all("超时" in a.error for a in delivery.attempts)


def test_all_recipients_refused_is_a_failure(smtp):
    smtp.script = ["refuse_rcpt"] * 3
    delivery = email_channel(smtp, Sleeps()).send(BRIEFING)
    assert not delivery.delivered
    assert "所有收件人均被拒收" in delivery.attempts[0].error
    assert "550" in delivery.attempts[0].error


def test_email_configuration_is_checked():
    with pytest.raises(ValidationError):
        SmtpConfig(host="", sender="ddb@kaimen.gov.cn")
    with pytest.raises(ValidationError):
        SmtpConfig(host="mail", sender="ddb@kaimen.gov.cn", starttls=True, ssl=True)
    with pytest.raises(ValidationError):
        EmailChannel(SmtpConfig(host="mail", sender="ddb@kaimen.gov.cn"), [])
    assert "secret" not in repr(SmtpConfig(host="mail", sender="a@b.cn", password="secret"))


# ---------------------------------------------------------------------------------------------
# In-app, and several channels at once


def test_in_app_returns_records_for_the_caller_to_store():
    delivery = InAppChannel(["leader.zhang", "office.li"], clock=clock).send(MESSAGE)
    assert delivery.delivered
    assert [r.recipient for r in delivery.records] == ["leader.zhang", "office.li"]
    assert delivery.records[0].title == MESSAGE.title
    assert delivery.records[0].created_at == NOW
    assert delivery.attempts[0].status == DeliveryStatus.STORED


def test_one_failing_channel_does_not_stop_the_others(robot):
    robot.script = [("raw", 500, b"down")] * 3
    sleeps = Sleeps()
    deliveries = broadcast(
        MESSAGE,
        [
            WeComChannel(robot.url, sleep=sleeps, clock=clock),
            InAppChannel(["leader.zhang"], clock=clock),
        ],
    )
    assert [d.delivered for d in deliveries] == [False, True]
