"""placeholder"""
from codemods.base import FaultRule, Example
class DeadBranch(FaultRule):
    """todo"""
    code = "GF1xx-dead_branch"
    name = "dead_branch"
    summary = "todo"
    EXAMPLES = (Example("x\n", {}, "x\n"),)
    def detect(self, evidence, index):
        return []
