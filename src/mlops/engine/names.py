"""Job names in Azure ML's style: `adjective_noun_` and ten random characters."""

from __future__ import annotations

import secrets
import string

_ADJECTIVES = (
    "amber", "brave", "calm", "clever", "eager", "gentle", "happy", "jolly", "keen", "khaki",
    "lively", "lucid", "mellow", "nifty", "plucky", "quiet", "serene", "shy", "sunny", "witty",
)  # fmt: skip
_NOUNS = (
    "apple", "badger", "cactus", "eagle", "fern", "garden", "kettle", "lemon", "lime", "maple",
    "napkin", "orange", "pear", "pepper", "plum", "river", "tomato", "tree", "wave", "yak",
)  # fmt: skip
_SUFFIX_CHARACTERS = string.ascii_lowercase + string.digits


def new_job_name() -> str:
    """A fresh job name such as `quiet_tree_fh9x7l6vnb`."""
    suffix = "".join(secrets.choice(_SUFFIX_CHARACTERS) for _ in range(10))
    return f"{secrets.choice(_ADJECTIVES)}_{secrets.choice(_NOUNS)}_{suffix}"
