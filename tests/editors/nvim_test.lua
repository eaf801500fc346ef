-- Headless Neovim against the real server: a spec gets diagnostics, hover works on a
-- dependency, a quick fix is offered, and README.md gets no client.
--   CHANT_LSP_CMD=<server> CHANT_EDITORS=<repo>/editors CHANT_NVIM_MODE=modern|legacy \
--   nvim --headless -u NONE -i NONE -n -c "luafile tests/editors/nvim_test.lua"
local function fail(msg)
  io.stderr:write('FAIL (' .. (os.getenv('CHANT_NVIM_MODE') or '?') .. '): ' .. msg .. '\n')
  vim.cmd('cquit!')
end

local editors = os.getenv('CHANT_EDITORS') or fail('CHANT_EDITORS unset')
vim.opt.runtimepath:prepend(editors .. '/neovim')
vim.cmd('filetype on')
local cmd = { os.getenv('CHANT_LSP_CMD') or 'chant-lsp' }
local mode = os.getenv('CHANT_NVIM_MODE') or 'legacy'

local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp .. '/.chant/specs', 'p')
local function write(path, text)
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
end
local spec = tmp .. '/.chant/specs/2026-03-01-001-aaa.md'
write(spec, '---\nstatus: Completed\ndepends_on: [2026-03-01-002-bbb]\n---\n# Spec A\n')
write(tmp .. '/.chant/specs/2026-03-01-002-bbb.md', '---\nstatus: completed\n---\n# Spec B, the dependency\n')
write(tmp .. '/README.md', '# Not a spec\n')

if mode == 'modern' then
  vim.lsp.config('chant_lsp', { cmd = cmd })
  vim.lsp.enable('chant_lsp')
else
  require('chant_lsp').setup({ cmd = cmd })
end

local function clients_of(buf)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = buf })
  end
  local out = {}
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
    table.insert(out, c)
  end
  return out
end

vim.cmd('edit ' .. spec)
local buf = vim.api.nvim_get_current_buf()
if not vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
  fail('no diagnostics within 15 s')
end
local codes = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  codes[#codes + 1] = tostring(d.code)
end
table.sort(codes)
if table.concat(codes, ',') ~= 'invalid-value,parse-error' then
  fail('unexpected diagnostics: ' .. table.concat(codes, ','))
end

local uri = vim.uri_from_bufnr(buf)
local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', { textDocument = { uri = uri }, position = { line = 2, character = 16 } }, 10000)
local text = ''
for _, r in pairs(hover or {}) do
  if r.result and r.result.contents then
    text = text .. (r.result.contents.value or '')
  end
end
if not text:find('Spec B, the dependency', 1, true) then
  fail('hover did not show the dependency: ' .. text)
end

local actions = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
  textDocument = { uri = uri },
  range = { start = { line = 1, character = 10 }, ['end'] = { line = 1, character = 10 } },
  context = { diagnostics = {} },
}, 10000)
local titles = {}
for _, r in pairs(actions or {}) do
  for _, a in ipairs(r.result or {}) do
    titles[#titles + 1] = a.title
  end
end
local joined = table.concat(titles, ' | ')
if not joined:find('Change to `completed`', 1, true) then
  fail('no quick fix: ' .. joined)
end

vim.cmd('edit ' .. tmp .. '/README.md')
local readme = vim.api.nvim_get_current_buf()
vim.wait(500)
if #clients_of(readme) ~= 0 then
  fail('the server attached to README.md')
end
print('PASS nvim ' .. tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. ' ' .. mode .. ': ' .. table.concat(codes, ',') .. '; hover; ' .. #titles .. ' code actions')
vim.cmd('qall!')
