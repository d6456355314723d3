"""The chosen bundle as infrastructure as code.

:mod:`.bundle` builds one renderer-neutral bundle of resource specs (:mod:`.spec`) from a
response; :mod:`.cloudformation` and :mod:`.terraform` only render it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from recommender.core.errors import UserError
from recommender.surfaces.export.bundle import FORMATS, chosen_bundle
from recommender.surfaces.export.cloudformation import render_cloudformation
from recommender.surfaces.export.spec import Bundle
from recommender.surfaces.export.terraform import render_terraform, render_terraform_json

#: One renderer per output format, each over the same :class:`Bundle`.
RENDERERS: dict[str, Callable[[Bundle], str]] = {
    "cloudformation": render_cloudformation,
    "terraform": render_terraform,
    "terraform-json": render_terraform_json,
}

__all__ = ["RENDERERS", "chosen_bundle", "export_response"]


def export_response(response: dict[str, Any], fmt: str) -> str:
    """Render the chosen bundle of ``response`` as a template.

    Parameters
    ----------
    response : dict
        A recommendation response as JSON data (e.g. ``json.load`` of a saved response).
    fmt : {"cloudformation", "terraform", "terraform-json"}
        CloudFormation (JSON template), Terraform (HCL, as ``terraform fmt`` lays it out)
        or Terraform in JSON syntax (a ``*.tf.json`` file).

    Returns
    -------
    str
        The template text.
    """
    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    bundle = chosen_bundle(response)
    return RENDERERS[fmt](bundle)
