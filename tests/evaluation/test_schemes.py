"""The office's scheme: validated before anything is stored, edited on a page (not the admin),
weights that do not add up and activity metrics refused with a clear message; and the
innovation practices units submit and the office rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.evaluation import codec, services
from kaimen.evaluation.metrics import PROVIDERS, register_provider
from kaimen.evaluation.models import InnovationPractice, ScoringScheme
from kaimen.evaluation.scoring import REGISTRY, DataPoint, Dimension, MetricKind, MetricSpec
from kaimen.lib.errors import PermissionDenied, StaleVersion, ValidationError
from kaimen.org.models import UnitKind
from tests.evaluation.helpers import at, scheme_config
from tests.ledger.ledger_helpers import make_tasks

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def campaign(cast, clock):
    clock.current = at(date(2025, 3, 3))
    (task,) = make_tasks(cast, [(cast.town_a, [])], deadline=date(2025, 3, 31))
    return task.campaign


def save(cast, campaign, config=None, **kwargs):
    defaults = {
        "peer_groups": [UnitKind.DEPARTMENT, UnitKind.TOWN],
        "top_k": 3,
        "bottom_k": 3,
        "objection_workdays": 5,
    }
    return services.scheme_save(
        actor=cast.office,
        campaign=campaign,
        config=config or scheme_config(),
        **(defaults | kwargs),
    )


def weights(speed: str, innovation: str, indicator: str = "50", tasks: str = "50") -> dict:
    config = scheme_config()
    config["dimensions"][0]["weight"] = speed
    config["dimensions"][0]["metrics"][0]["weight"] = indicator
    config["dimensions"][0]["metrics"][1]["weight"] = tasks
    config["dimensions"][1]["weight"] = innovation
    return config


def test_a_valid_scheme_is_stored_with_an_audit_event(cast, campaign):
    scheme = save(cast, campaign)
    stored = codec.scheme_from_dict(scheme.config)
    assert stored.name == "三月考核"
    assert [d.dimension for d in stored.dimensions] == [Dimension.SPEED, Dimension.INNOVATION]
    assert scheme.peer_groups == ["department", "town"]
    event = AuditEvent.objects.get(action="evaluation.scheme.save")
    assert event.after["config"]["name"] == "三月考核"


def test_dimension_weights_that_do_not_add_up_are_refused_saying_by_how_much(cast, campaign):
    with pytest.raises(ValidationError) as exc:
        save(cast, campaign, weights("60", "30"))
    assert "各维度的权重合计为90%，应为100%，少10个百分点" in exc.value.message
    assert "比速度60%" in exc.value.message
    assert not ScoringScheme.objects.exists()
    assert not AuditEvent.objects.filter(action="evaluation.scheme.save").exists()


def test_metric_weights_that_do_not_add_up_are_refused(cast, campaign):
    with pytest.raises(ValidationError) as exc:
        save(cast, campaign, weights("60", "40", indicator="70", tasks="40"))
    assert "“比速度”下各指标的权重合计为110%，应为100%，多10个百分点" in exc.value.message
    assert not ScoringScheme.objects.exists()


@pytest.mark.parametrize(
    ("code", "word"),
    [
        ("platform.logins", "logins"),
        ("app.daily_checkin", "checkin"),
        ("学习时长", "学习时长"),
        ("quality.likes_count", "likes"),
    ],
)
def test_a_scheme_naming_an_activity_metric_is_refused(cast, campaign, code, word):
    config = scheme_config()
    config["dimensions"][0]["metrics"][1]["code"] = code
    with pytest.raises(ValidationError) as exc:
        save(cast, campaign, config)
    assert exc.value.code == "activity_metric"
    assert word in exc.value.message
    assert "不得将点赞量" in exc.value.message  # the rule it breaks, quoted
    assert not ScoringScheme.objects.exists()


def test_an_unregistered_metric_is_refused_naming_the_registered_ones(cast, campaign):
    config = scheme_config()
    config["dimensions"][0]["metrics"][1]["code"] = "speed.appeals_closed"
    with pytest.raises(ValidationError, match="没有登记。已登记的指标"):
        save(cast, campaign, config)


def test_a_ratio_without_a_target_for_data_without_targets_is_refused(cast, campaign):
    config = scheme_config()
    config["dimensions"][0]["metrics"][1]["normalisation"] = {"method": "ratio_to_target"}
    with pytest.raises(ValidationError, match="任务按时完成率.*请为它设定统一目标"):
        save(cast, campaign, config)


def test_a_metric_under_the_wrong_dimension_is_refused(cast, campaign):
    config = scheme_config()
    moved = config["dimensions"][0]["metrics"].pop(1)
    config["dimensions"][0]["metrics"][0]["weight"] = "100"
    moved["weight"] = "50"
    config["dimensions"][1]["metrics"][0]["weight"] = "50"
    config["dimensions"][1]["metrics"].append(moved)
    with pytest.raises(ValidationError, match="登记在“比速度”维度，不能放在“比创新”下"):
        save(cast, campaign, config)


def test_peer_groups_and_list_sizes_are_checked(cast, campaign):
    with pytest.raises(ValidationError, match="至少选择一个"):
        save(cast, campaign, peer_groups=[])
    with pytest.raises(ValidationError, match="不能参与排名"):
        save(cast, campaign, peer_groups=["leadership"])
    with pytest.raises(ValidationError, match="申诉期"):
        save(cast, campaign, objection_workdays=0)
    assert not ScoringScheme.objects.exists()


def test_a_second_save_is_a_new_version_and_a_stale_one_is_refused(cast, campaign):
    first = save(cast, campaign)
    second = save(cast, campaign, weights("50", "50"), expected_version=first.version)
    assert second.pk == first.pk
    assert second.version == 2
    with pytest.raises(StaleVersion):
        save(cast, campaign, weights("70", "30"), expected_version=1)
    assert ScoringScheme.objects.get().config["dimensions"][0]["weight"] == "50"


def test_only_the_office_saves_a_scheme(cast, campaign):
    for user in (cast.leader, cast.liaison_a, cast.sysadmin):
        with pytest.raises(PermissionDenied):
            services.scheme_save(
                actor=user,
                campaign=campaign,
                config=scheme_config(),
                peer_groups=["town"],
                top_k=3,
                bottom_k=3,
                objection_workdays=5,
            )
    assert not ScoringScheme.objects.exists()


def test_a_later_module_adds_a_metric_without_touching_the_engine(cast, campaign, monkeypatch):
    spec = MetricSpec(
        "quality.appeals_closed_in_time",
        "企业诉求按期办结率",
        Dimension.QUALITY,
        "%",
        kind=MetricKind.DELIVERY,
    )
    monkeypatch.setattr(REGISTRY, "_specs", dict(REGISTRY._specs))
    monkeypatch.setattr("kaimen.evaluation.metrics.PROVIDERS", dict(PROVIDERS))

    def provider(ctx):
        return [DataPoint(ctx.key(pk), spec.code, D(100)) for pk in ctx.units]

    register_provider(spec, provider)
    config = scheme_config()
    config["dimensions"].append(
        {
            "dimension": "quality",
            "weight": "20",
            "metrics": [
                {
                    "code": spec.code,
                    "weight": "100",
                    "normalisation": {"method": "ratio_to_target", "target": "100"},
                }
            ],
        }
    )
    config["dimensions"][0]["weight"] = "50"
    config["dimensions"][1]["weight"] = "30"
    scheme = save(cast, campaign, config)
    assert spec.code in {m.code for m in codec.scheme_from_dict(scheme.config).metrics}


def test_a_later_module_cannot_register_an_activity_metric():
    spec = MetricSpec("quality.online_time", "在线时长", Dimension.QUALITY, "小时")
    with pytest.raises(ValidationError, match="在线时长"):
        register_provider(spec, lambda ctx: [])
    assert "quality.online_time" not in PROVIDERS


# ---------------------------------------------------------------------------------------------
# The page


def form_data(config: dict, **extra) -> dict:
    data = {
        "name": config["name"],
        "missing": config["missing"],
        "min_samples": config["min_samples"],
        "peer_groups": ["department", "town"],
        "top_k": "3",
        "bottom_k": "3",
        "objection_workdays": "5",
        "version": "0",
    }
    for d in config["dimensions"]:
        data[f"dim_{d['dimension']}_weight"] = d["weight"]
        for m in d["metrics"]:
            key = m["code"].replace(".", "_")
            norm = m["normalisation"]
            data[f"m_{key}_use"] = "on"
            data[f"m_{key}_weight"] = m["weight"]
            data[f"m_{key}_method"] = norm["method"]
            data[f"m_{key}_target"] = norm.get("target") or ""
            data[f"m_{key}_cap"] = norm.get("cap") or ""
    return data | extra


def test_the_office_edits_the_scheme_on_its_page(client, login, cast, campaign):
    login(cast.office)
    url = reverse("evaluation:scheme_edit", args=[campaign.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(scheme_config()))
    assert response.status_code == 302
    scheme = ScoringScheme.objects.get()
    assert scheme.top_k == 3
    stored = codec.scheme_from_dict(scheme.config)
    assert [m.code for m in stored.metrics] == [
        "speed.indicator_progress",
        "speed.tasks_on_time",
        "innovation.practice_rating",
    ]
    page = client.get(url).content.decode()
    assert 'value="三月考核"' in page  # the stored scheme fills the form again


def test_the_page_shows_why_weights_are_refused_and_saves_nothing(client, login, cast, campaign):
    login(cast.office)
    url = reverse("evaluation:scheme_edit", args=[campaign.pk])
    response = client.post(url, form_data(weights("60", "30")))
    assert response.status_code == 200
    assert "各维度的权重合计为90%，应为100%" in response.content.decode()
    assert not ScoringScheme.objects.exists()


def test_the_page_parses_bands(client, login, cast, campaign):
    login(cast.office)
    config = scheme_config()
    data = form_data(config)
    data["m_speed_tasks_on_time_method"] = "bands"
    data["m_speed_tasks_on_time_bands"] = "90:100， 75：80；60:60"
    response = client.post(reverse("evaluation:scheme_edit", args=[campaign.pk]), data)
    assert response.status_code == 302
    metric = codec.scheme_from_dict(ScoringScheme.objects.get().config).metrics[1]
    assert [(b.threshold, b.points) for b in metric.normalisation.bands] == [
        (D(90), D(100)),
        (D(75), D(80)),
        (D(60), D(60)),
    ]
    data["m_speed_tasks_on_time_bands"] = "九十分以上满分"
    data["version"] = "1"
    response = client.post(reverse("evaluation:scheme_edit", args=[campaign.pk]), data)
    assert response.status_code == 200
    assert ScoringScheme.objects.get().version == 1


# ---------------------------------------------------------------------------------------------
# Innovation practices


def test_a_liaison_submits_and_the_office_rates_a_practice(cast, campaign, clock):
    practice = services.practice_submit(
        actor=cast.liaison_a,
        campaign=campaign,
        unit=cast.town_a,
        title="企业服务日",
        description="每周三集中受理企业诉求",
        practiced_on=date(2025, 3, 1),
    )
    rated = services.practice_rate(
        actor=cast.office,
        practice=practice,
        rating="8.5",
        comment="可推广",
        expected_version=practice.version,
    )
    assert rated.rating == D("8.5")
    assert rated.rated_by == cast.office
    actions = list(
        AuditEvent.objects.filter(action__startswith="evaluation.practice").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["evaluation.practice.rate", "evaluation.practice.submit"]


def test_a_liaison_cannot_submit_for_another_unit_or_rate(cast, campaign):
    with pytest.raises(PermissionDenied):
        services.practice_submit(
            actor=cast.liaison_a,
            campaign=campaign,
            unit=cast.town_b,
            title="冒名",
            description="x",
            practiced_on=date(2025, 3, 1),
        )
    practice = services.practice_submit(
        actor=cast.liaison_a,
        campaign=campaign,
        unit=cast.town_a,
        title="举措",
        description="x",
        practiced_on=date(2025, 3, 1),
    )
    with pytest.raises(PermissionDenied):
        services.practice_rate(
            actor=cast.liaison_a, practice=practice, rating="10", comment="", expected_version=1
        )
    assert InnovationPractice.objects.get().rating is None


@pytest.mark.parametrize(
    ("rating", "message"),
    [("11", "0到10之间"), ("-1", "0到10之间"), ("8.25", "一位小数"), ("很好", "不是数值")],
)
def test_a_rating_outside_the_scale_is_refused(cast, campaign, rating, message):
    practice = services.practice_submit(
        actor=cast.liaison_a,
        campaign=campaign,
        unit=cast.town_a,
        title="举措",
        description="x",
        practiced_on=date(2025, 3, 1),
    )
    with pytest.raises(ValidationError, match=message):
        services.practice_rate(
            actor=cast.office, practice=practice, rating=rating, comment="", expected_version=1
        )


def test_a_practice_dated_in_the_future_is_refused(cast, campaign):
    with pytest.raises(ValidationError, match="还没到"):
        services.practice_submit(
            actor=cast.liaison_a,
            campaign=campaign,
            unit=cast.town_a,
            title="举措",
            description="x",
            practiced_on=date(2025, 3, 9),
        )


def test_a_page_opened_before_another_office_created_the_scheme_is_stale(
    client, login, cast, campaign
):
    save(cast, campaign)  # another office, a moment earlier
    login(cast.office)
    response = client.post(
        reverse("evaluation:scheme_edit", args=[campaign.pk]),
        form_data(weights("50", "50"), version="0"),
    )
    assert response.status_code == 409
    assert ScoringScheme.objects.get().config["dimensions"][0]["weight"] == "60"


# ---------------------------------------------------------------------------------------------
# The 红黑榜 rules


def test_the_list_rules_are_saved_with_the_scheme_and_audited(cast, campaign):
    scheme = save(
        cast, campaign, red_min_total="88", black_below_total="55", top_share="20",
        min_group_size=6,
    )  # fmt: skip
    assert (scheme.red_min_total, scheme.black_below_total) == (D("88.00"), D("55.00"))
    assert (scheme.top_share, scheme.bottom_share, scheme.min_group_size) == (D("20.00"), None, 6)
    assert scheme.roll_rules.text[0] == "红榜：总分不低于88分且位列本组前20%。"
    event = AuditEvent.objects.filter(action="evaluation.scheme.save").latest("pk")
    assert event.after["red_min_total"] == "88.00"
    assert event.after["min_group_size"] == 6


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"red_min_total": "60", "black_below_total": "70"}, "black_below_total", "同时符合两榜"),
        ({"red_min_total": "120"}, "red_min_total", "红榜分数线应在0到100之间"),
        ({"top_share": "abc"}, "top_share", "红榜入榜比例（%）应为数字"),
        ({"min_group_size": 0}, "min_group_size", "发布红黑榜的最少单位数应在1到50之间"),
    ],
)
def test_rules_that_cannot_be_defended_are_refused(cast, campaign, kwargs, field, words):
    with pytest.raises(ValidationError, match=words) as caught:
        save(cast, campaign, **kwargs)
    assert caught.value.field == field
    assert not ScoringScheme.objects.exists()


def test_the_page_saves_the_list_rules(client, login, cast, campaign):
    login(cast.office)
    url = reverse("evaluation:scheme_edit", args=[campaign.pk])
    assert 'name="red_min_total" value="85"' in client.get(url).content.decode()
    extra = {"red_min_total": "90", "black_below_total": "", "min_group_size": "4"}
    assert client.post(url, form_data(scheme_config(), **extra)).status_code == 302
    scheme = ScoringScheme.objects.get()
    assert (scheme.red_min_total, scheme.black_below_total) == (D("90.00"), None)
    assert scheme.min_group_size == 4
    refused = client.post(
        url, form_data(scheme_config(), red_min_total="50", black_below_total="70", version="1")
    )
    assert "同时符合两榜" in refused.content.decode()
