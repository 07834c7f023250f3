"""Entry script of the table fixtures: each row back, tagged with its mini-batch and partition."""

import argparse

TAG = ""


def init():
    global TAG
    parser = argparse.ArgumentParser()
    parser.add_argument("--tag", required=True)
    TAG = parser.parse_known_args()[0].tag


def run(mini_batch, mini_batch_context):
    rows = mini_batch.copy()
    partition = "/".join(str(v) for v in mini_batch_context.partition_key_value.values())
    rows.insert(0, "tag", TAG)
    rows.insert(1, "batch", mini_batch_context.minibatch_index)
    rows.insert(2, "partition", partition or "-")
    rows["rows"] = len(mini_batch)
    return rows
