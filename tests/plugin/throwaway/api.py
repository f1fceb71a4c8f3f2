from ninja import Router

from kaimen.lib.errors import PermissionDenied
from kaimen.org import scope

router = Router(tags=["throwaway"])


@router.get("/ping")
def ping(request):
    if not scope.can(request.user, "throwaway.view"):
        raise PermissionDenied("无权查看试验数据。")
    return {"pong": True}
