"""One module per fault code. `load()` returns the registry, validated."""

from __future__ import annotations

from codemods.base import FaultRule


def load() -> dict[str, FaultRule]:
    """Every known fault rule by code; fails loudly on a duplicate code or a rule without examples."""
    from codemods.backend_function import BackendFunction
    from codemods.captured_tensor import CapturedTensor
    from codemods.dead_branch import DeadBranch
    from codemods.disconnected_input import DisconnectedInput
    from codemods.layer_created_in_call import LayerCreatedInCall
    from codemods.leaked_tensor import LeakedTensor
    from codemods.mixed_keras import MixedKeras
    from codemods.nested_model_output import NestedModelOutput
    from codemods.node_accessor import NodeAccessor
    from codemods.removed_backend_api import RemovedBackendApi
    from codemods.session_fetch import SessionFetch
    from codemods.tf_function_on_call import TfFunctionOnCall
    from codemods.tf_op_on_keras_tensor import TfOpOnKerasTensor
    from codemods.variable_in_function import VariableInFunction
    from codemods.unbuilt_model import UnbuiltModel

    rules: dict[str, FaultRule] = {}
    for cls in (
        DisconnectedInput,
        DeadBranch,
        NestedModelOutput,
        UnbuiltModel,
        NodeAccessor,
        BackendFunction,
        SessionFetch,
        TfFunctionOnCall,
        LayerCreatedInCall,
        VariableInFunction,
        CapturedTensor,
        LeakedTensor,
        TfOpOnKerasTensor,
        RemovedBackendApi,
        MixedKeras,
    ):
        rule = cls()
        if rule.code in rules:
            raise ValueError(f"duplicate fault code {rule.code}")
        if not cls.EXAMPLES:
            raise ValueError(f"{rule.code} has no examples")
        if not cls.documentation():
            raise ValueError(f"{rule.code} has no documentation")
        rules[rule.code] = rule
    return rules
