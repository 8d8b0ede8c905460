"""``umpp.mp4_format_api``: the same bindings under the C module's name."""

from mpp.mp4_format import *  # noqa: F403
