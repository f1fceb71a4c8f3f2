import pytest
from io import StringIO
from django.core.management import call_command
from kaimen.evaluation.models import ScoreRun
from kaimen.ledger.models import Task
from kaimen.org.models import Unit
pytestmark = pytest.mark.django_db

def test_show():
    out = StringIO()
    call_command("demo", stdout=out)
    print(out.getvalue())
    run = ScoreRun.objects.get()
    for s in run.standings.order_by("peer_group", "order"):
        print(s.peer_group, s.unit_name, s.total, s.rank, s.peers, s.limited, s.held_off_top, s.board, s.speed, s.quality, s.innovation)
    print(run.notes)
    print(run.roll)
    from collections import Counter
    print(Counter((t.status, t.light) for t in Task.objects.all()))
    print(Counter(Task.objects.values_list("lead_unit__name", flat=True)))
    print(Counter(Task.objects.values_list("kind", flat=True)))
