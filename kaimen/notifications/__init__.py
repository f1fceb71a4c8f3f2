"""Notifications: the in-app inbox, e-mail and DingTalk/WeCom group robots, deliveries and
retries. Other apps send with ``kaimen.notifications.notify.notify`` an event type they
registered in ``kaimen.lib.contracts.events``; the wording is theirs (their ``notices`` module),
so this app holds no domain text and needs no change for a new event.
"""
