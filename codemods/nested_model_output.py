"""placeholder"""
from codemods.base import FaultRule, Example
class NestedModelOutput(FaultRule):
    """todo"""
    code = "GF1xx-nested_model_output"
    name = "nested_model_output"
    summary = "todo"
    EXAMPLES = (Example("x\n", {}, "x\n"),)
    def detect(self, evidence, index):
        return []
