from django import template

from kaimen.audit import labels

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code)


@register.filter
def object_type_label(object_type: str) -> str:
    return labels.object_type_label(object_type)
