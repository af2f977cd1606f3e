"""`graphfix lsp` under a real editor: headless Neovim (Debian's `neovim`) opens a broken
program, its own LSP client starts the server, the diagnostics appear, and graphfix's quick fix
is requested, applied by Neovim to the buffer and written. The JSON-RPC client of test_lsp.py
checks the protocol in detail; this checks that a real client gets on with it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
BROKEN = PROJECT / "examples" / "autoencoder.py"  # GF101 at line 14, a safe verified fix (rewire)
NVIM = shutil.which("nvim")

pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt-get install neovim; .ci/run installs it)")

SCRIPT = r"""
local out = assert(os.getenv("GRAPHFIX_NVIM_OUT"))
local report = {}
local function finish(code)
  local f = assert(io.open(out, "w"))
  f:write(vim.json.encode(report))
  f:close()
  vim.cmd(code == 0 and "qa!" or "cquit! " .. code)
end

local ok, err = pcall(function()
  local buf = vim.api.nvim_get_current_buf()
  local cmd = { os.getenv("GRAPHFIX_PYTHON"), "-m", "graphfix.cli", "lsp" }
  local config = { name = "graphfix", cmd = cmd, root_dir = vim.fn.getcwd() }
  local client_id
  if vim.lsp.start then  -- Neovim 0.8+
    client_id = vim.lsp.start(config)
  else  -- Debian bookworm's 0.7
    client_id = vim.lsp.start_client(config)
    if client_id then vim.lsp.buf_attach_client(buf, client_id) end
  end
  report.client = client_id ~= nil
  local v = vim.version()
  report.version = v.major .. "." .. v.minor .. "." .. v.patch

  -- diagnostics arrive on open, once the server has probed the buffer
  report.diagnosed = vim.wait(240000, function() return #vim.diagnostic.get(buf) > 0 end, 100)
  report.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(report.diagnostics, { line = d.lnum + 1, col = d.col + 1, source = d.source, code = d.code, message = d.message })
  end
  if not report.diagnosed then return end

  -- the quick fix for the first diagnostic, as `vim.lsp.buf.code_action()` asks for it
  local first = vim.diagnostic.get(buf)[1]
  vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
  local client = vim.lsp.get_client_by_id(client_id)
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics and vim.lsp.diagnostic.get_line_diagnostics(buf) or {} }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 60000) or {}
  report.actions = {}
  local chosen
  for _, response in pairs(responses) do
    for _, action in ipairs(response.result or {}) do
      table.insert(report.actions, action.title)
      if action.kind == "quickfix" and action.edit then chosen = chosen or action end
    end
  end
  if chosen == nil then return end
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  vim.cmd("silent write")
  report.applied = true

  -- after the save the server probes the fixed file: its diagnostics go away
  report.cleared = vim.wait(240000, function() return #vim.diagnostic.get(buf) == 0 end, 100)
end)
if not ok then report.error = tostring(err) end
finish(0)
"""


def test_neovim_shows_the_diagnostic_and_applies_the_quick_fix(tmp_path: Path) -> None:
    assert NVIM is not None
    program = tmp_path / "autoencoder.py"
    shutil.copyfile(BROKEN, program)
    script = tmp_path / "drive.lua"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "report.json"
    env = {
        **os.environ,
        "GRAPHFIX_NVIM_OUT": str(out),
        "GRAPHFIX_PYTHON": sys.executable,
        "XDG_STATE_HOME": str(tmp_path / "state"),  # Neovim's LSP log goes here, not to the home directory
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [NVIM, "--headless", "--clean", "-n", program.name, "-c", f"luafile {script}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    assert out.exists(), f"nvim exited {done.returncode} without a report: {done.stderr[-2000:]}"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in report, report
    assert report["client"] and report["diagnosed"], report
    (diagnostic,) = [d for d in report["diagnostics"] if d["code"] == "GF101"]
    assert diagnostic["source"] == "graphfix" and diagnostic["line"] == 14
    assert "latent_in" in diagnostic["message"]
    assert "graphfix: apply verified fix (GF101 disconnected-input)" in report["actions"]
    assert report.get("applied"), report
    fixed = program.read_text(encoding="utf-8")
    assert "latent_in" not in fixed and fixed != BROKEN.read_text(encoding="utf-8")
    assert report.get("cleared"), report
