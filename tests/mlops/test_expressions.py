import pytest

from mlops.expressions import (
    ExpressionError,
    binding,
    find_references,
    format_value,
    render_command,
    segments,
)


def test_binding_kinds():
    job = binding("${{parent.jobs.train.outputs.model}}")
    assert (job.scope, job.job, job.kind, job.name) == ("job", "train", "outputs", "model")
    parent = binding("${{ parent.inputs.alpha }}")
    assert (parent.scope, parent.kind, parent.name) == ("parent", "inputs", "alpha")
    assert binding("0.5") is None
    assert binding("prefix ${{parent.inputs.alpha}}") is None


def test_unknown_reference_names_the_accepted_forms():
    with pytest.raises(ExpressionError, match=r"parent\.jobs\.<job>\.outputs\.<name>"):
        find_references("python x.py --a ${{parent.job.x}}")


def test_render_drops_optional_block_without_value():
    command = "python -m m --a ${{inputs.a}} $[[--b ${{inputs.b}}]] --out ${{outputs.o}}"
    values = {"inputs.a": "1", "inputs.b": None, "outputs.o": "/tmp/o"}
    assert render_command(command, values) == "python -m m --a 1  --out /tmp/o"
    values["inputs.b"] = "True"
    assert render_command(command, values) == "python -m m --a 1 --b True --out /tmp/o"


def test_render_refuses_valueless_input_outside_block():
    with pytest.raises(ExpressionError, match="not inside"):
        render_command("run --b ${{inputs.b}}", {"inputs.b": None})
    with pytest.raises(ExpressionError, match="names no declared"):
        render_command("run --c ${{inputs.c}}", {})


def test_segments_reject_unclosed_and_nested_blocks():
    with pytest.raises(ExpressionError, match="never closed"):
        list(segments("run $[[--b ${{inputs.b}}"))
    with pytest.raises(ExpressionError, match="no nesting"):
        list(segments("run $[[ $[[--b]] ]]"))
    assert list(segments("if [[ -f x ]]; then run; fi")) == [("if [[ -f x ]]; then run; fi", False)]


def test_booleans_render_as_azure_renders_them():
    assert [format_value(v) for v in (True, False, 3, 0.25, "x")] == [
        "True",
        "False",
        "3",
        "0.25",
        "x",
    ]
