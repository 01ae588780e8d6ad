"""The case_progress notification templates (e-mail and SMS, zh-Hant and English).

``TEMPLATE_TEXTS`` is also read by :func:`powerdesk.cases.actions.notification_templates_ensure`
(tests that flush the database, ``powerdesk demo``), so the texts live in one place.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

# (key, channel, language) -> (subject, body). Placeholders: ${name} (string.Template).
TEMPLATE_TEXTS: dict[tuple[str, str, str], tuple[str, str]] = {
    ("case.receipt", "email", "zh-hant"): (
        "台電已受理您的申請（${number}）",
        "您好：\n\n台電已受理您的「${kind}」申請。\n案件編號：${number}\n受理時間：${received}\n"
        "預計完成日期：${due}\n\n一次告知，請備妥以下文件：\n${checklist}\n\n"
        "隨時查詢辦理進度：${track_url}\n\n台灣電力公司 區營業處",
    ),
    ("case.receipt", "email", "en"): (
        "Taipower received your application (${number})",
        "Hello,\n\nTaipower has received your application: ${kind}.\nCase number: ${number}\n"
        "Received: ${received}\nExpected completion: ${due}\n\n"
        "Documents needed (all at once):\n${checklist}\n\n"
        "Follow its progress at any time: ${track_url}\n\nTaipower district office",
    ),
    ("case.receipt", "sms", "zh-hant"): (
        "",
        "台電已受理您的${kind}申請，案號${number}，預計${due}完成。進度：${track_url}",
    ),
    ("case.receipt", "sms", "en"): (
        "",
        "Taipower received your ${kind} application ${number}, due ${due}. Track: ${track_url}",
    ),
    ("case.status", "email", "zh-hant"): (
        "您的申請案件進度更新（${number}）",
        "您好：\n\n您的「${kind}」申請（案號 ${number}）目前狀態：${status}。\n${note}\n"
        "預計完成日期：${due}\n\n查詢進度：${track_url}\n\n台灣電力公司 區營業處",
    ),
    ("case.status", "email", "en"): (
        "Progress of your application (${number})",
        "Hello,\n\nYour application ${number} (${kind}) is now: ${status}.\n${note}\n"
        "Expected completion: ${due}\n\nFollow its progress: ${track_url}\n\n"
        "Taipower district office",
    ),
    ("case.status", "sms", "zh-hant"): (
        "",
        "台電案號${number}：${status}。預計${due}完成。${track_url}",
    ),
    ("case.status", "sms", "en"): (
        "",
        "Taipower case ${number}: ${status}. Due ${due}. ${track_url}",
    ),
    ("case.paused", "email", "zh-hant"): (
        "您的申請案件需要您協助（${number}）",
        "您好：\n\n您的「${kind}」申請（案號 ${number}）目前暫停計算處理時限，原因：${reason}。\n\n"
        "尚待您提供：\n${missing}\n\n補齊後即繼續辦理。查詢進度：${track_url}\n\n"
        "台灣電力公司 區營業處",
    ),
    ("case.paused", "email", "en"): (
        "Your application needs something from you (${number})",
        "Hello,\n\nThe time limit of your application ${number} (${kind}) is paused: ${reason}.\n\n"
        "Still needed from you:\n${missing}\n\nWe continue as soon as we have it. "
        "Progress: ${track_url}\n\nTaipower district office",
    ),
    ("case.paused", "sms", "zh-hant"): (
        "",
        "台電案號${number}暫停：${reason}。待補：${missing}。${track_url}",
    ),
    ("case.paused", "sms", "en"): (
        "",
        "Taipower case ${number} paused: ${reason}. Needed: ${missing}. ${track_url}",
    ),
    ("case.supply_date", "email", "zh-hant"): (
        "已與您約定供電日期（${number}）",
        "您好：\n\n您的「${kind}」申請（案號 ${number}）已與您約定供電日期：${supply_date}。\n\n"
        "查詢進度：${track_url}\n\n台灣電力公司 區營業處",
    ),
    ("case.supply_date", "email", "en"): (
        "Supply date agreed (${number})",
        "Hello,\n\nFor your application ${number} (${kind}) the agreed supply date is "
        "${supply_date}.\n\nProgress: ${track_url}\n\nTaipower district office",
    ),
    ("case.supply_date", "sms", "zh-hant"): (
        "",
        "台電案號${number}約定供電日期：${supply_date}。${track_url}",
    ),
    ("case.supply_date", "sms", "en"): (
        "",
        "Taipower case ${number}: supply date agreed ${supply_date}. ${track_url}",
    ),
    ("case.note", "email", "zh-hant"): (
        "您的申請案件有新訊息（${number}）",
        "您好：\n\n關於您的「${kind}」申請（案號 ${number}）：\n${note}\n\n查詢進度：${track_url}\n\n"
        "台灣電力公司 區營業處",
    ),
    ("case.note", "email", "en"): (
        "News about your application (${number})",
        "Hello,\n\nAbout your application ${number} (${kind}):\n${note}\n\n"
        "Progress: ${track_url}\n\nTaipower district office",
    ),
    ("case.note", "sms", "zh-hant"): ("", "台電案號${number}有新訊息，請查看：${track_url}"),
    ("case.note", "sms", "en"): ("", "Taipower case ${number} has news: ${track_url}"),
    ("case.completed", "email", "zh-hant"): (
        "您的申請已辦理完成（${number}）",
        "您好：\n\n您的「${kind}」申請（案號 ${number}）已於 ${completed} 辦理完成。\n\n"
        "案件紀錄：${track_url}\n\n台灣電力公司 區營業處",
    ),
    ("case.completed", "email", "en"): (
        "Your application is completed (${number})",
        "Hello,\n\nYour application ${number} (${kind}) was completed on ${completed}.\n\n"
        "Record: ${track_url}\n\nTaipower district office",
    ),
    ("case.completed", "sms", "zh-hant"): (
        "",
        "台電案號${number}已於${completed}辦理完成。${track_url}",
    ),
    ("case.completed", "sms", "en"): (
        "",
        "Taipower case ${number} was completed on ${completed}. ${track_url}",
    ),
}


def ensure_templates(template_model: Any) -> int:
    """Create the templates not present yet (any version); return how many were created."""
    created = 0
    now = timezone.now()
    for (key, channel, language), (subject, body) in TEMPLATE_TEXTS.items():
        if template_model.objects.filter(key=key, channel=channel, language=language).exists():
            continue
        template_model.objects.create(
            key=key,
            purpose="case_progress",
            channel=channel,
            language=language,
            version=1,
            subject=subject,
            body_text=body,
            body_html="",
            sms_overflow="split" if channel == "sms" else "refuse",
            active=True,
            created_at=now,
        )
        created += 1
    return created


def forwards(apps: Any, schema_editor: Any) -> None:
    ensure_templates(apps.get_model("notifications", "NotificationTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("notifications", "0002_push_letters_calls"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
