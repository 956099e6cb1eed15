"""A class-based view, as fastapi-utils' @cbv makes one: each endpoint of the class gets an instance as `self`."""
import inspect

from fastapi import APIRouter, Depends
from fastapi.dependencies.utils import get_dependant


def controller(router: APIRouter):
    def wrap(cls):
        for route in router.routes:
            endpoint = getattr(route, "endpoint", None)
            if endpoint is None or getattr(cls, endpoint.__name__, None) is not endpoint:
                continue
            signature = inspect.signature(endpoint)
            params = list(signature.parameters.values())
            params[0] = params[0].replace(default=Depends(cls), kind=inspect.Parameter.KEYWORD_ONLY)
            rest = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params[1:]]
            endpoint.__signature__ = signature.replace(parameters=[params[0], *rest])
            route.dependant = get_dependant(path=route.path_format, call=endpoint)
        return cls

    return wrap
