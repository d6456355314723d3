"""A sustained network need on serverless compute: no published bandwidth to hold it to.

``network.bandwidth_gbps`` is a hard constraint.  EC2 types are held to their published
baseline bandwidth (:data:`EC2_BANDWIDTH_URL`; "up to" figures are bursts on network I/O
credits), but AWS publishes no network bandwidth for a Fargate task (:data:`FARGATE_NET_URL`)
or a Lambda function (its quotas page lists none: ``elasticity.LAMBDA_QUOTAS_URL``), so neither can
be shown to meet such a need: both are left out, with the reason in the rejection note.
"""

from __future__ import annotations

from typing import Any

EC2_BANDWIDTH_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                     "ec2-instance-network-bandwidth.html")
FARGATE_NET_URL = ("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                   "fargate-task-networking.html")


def needs_published_bandwidth(p: Any) -> bool:
    """Whether the profile asks for a sustained network bandwidth (``network.bandwidth_gbps``)."""
    net = getattr(p, "network", None)
    return net is not None and (net.bandwidth_gbps or 0) > 0


def unpublished_bandwidth_note(service: str, url: str) -> str:
    """The rejection note of ``service`` (Fargate, Lambda) for a bandwidth need."""
    return (f"network.bandwidth_gbps is a sustained need; EC2 types are held to their "
            f"published baseline bandwidth ({EC2_BANDWIDTH_URL}), but AWS publishes no "
            f"network bandwidth for {service} ({url}), so it cannot be shown to meet it")
