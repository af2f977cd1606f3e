"""placeholder"""
from codemods.base import FaultRule, Example
class UnbuiltModel(FaultRule):
    """todo"""
    code = "GF1xx-unbuilt_model"
    name = "unbuilt_model"
    summary = "todo"
    EXAMPLES = (Example("x\n", {}, "x\n"),)
    def detect(self, evidence, index):
        return []
